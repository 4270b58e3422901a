"""Every command of the storage driver contract has at least one end-to-end test.

The contract's list (46 commands, keboola-driver-contract.md section 3.8) is written out here and checked
against the generated protobuf modules (so a command added to the protos without a test, or a typo here,
fails too); then every e2e test module is parsed and each command must be constructed in at least one
function of a test module (test_*.py) or of a helper module those tests use, other than this one."""

from __future__ import annotations

import ast
from pathlib import Path

import protos  # noqa: F401  (puts the generated stubs on sys.path)
from keboola.storage_driver import (backend_pb2, bucket_pb2, execute_query_pb2, info_pb2, project_pb2, table_pb2,
                                    workspace_pb2)

CONTRACT_COMMANDS = {
    backend_pb2: ["InitBackend", "RemoveBackend"],
    project_pb2: ["CreateProject", "UpdateProject", "DropProject", "CreateDevBranch", "DropDevBranch"],
    bucket_pb2: ["CreateBucket", "DropBucket", "ShareBucket", "UnshareBucket", "LinkBucket", "UnlinkBucket",
                 "GrantBucketAccessToReadOnlyRole", "RevokeBucketAccessFromReadOnlyRole",
                 "BigQueryExternalBucketSharingStatus", "GrantExternalBucketSubscriber",
                 "RevokeExternalBucketSubscriber"],
    info_pb2: ["ObjectInfo", "ListSchemas"],
    execute_query_pb2: ["ExecuteQuery"],
    table_pb2: ["CreateTable", "DropTable", "AddColumn", "AlterColumn", "DropColumn", "AddPrimaryKey",
                "DropPrimaryKey", "PreviewTable", "TableImportFromFile", "TableImportFromTable", "TableExportToFile",
                "DeleteTableRows", "CreateTableFromTimeTravel", "CreateProfileTable", "CreateView"],
    workspace_pb2: ["CreateWorkspace", "DropWorkspace", "ClearWorkspace", "ResetWorkspacePassword",
                    "CreateWorkspaceUser", "DropWorkspaceUser", "DropWorkspaceObject", "GrantWorkspaceAccessToProject",
                    "RevokeWorkspaceAccessToProject", "LoadTableToWorkspace"],
}
E2E = Path(__file__).parent


def contract_messages() -> set[str]:
    return {name + "Command" for names in CONTRACT_COMMANDS.values() for name in names}


def test_the_list_is_the_contract():
    assert len(contract_messages()) == 46
    for module, names in CONTRACT_COMMANDS.items():
        generated = {name for name in module.DESCRIPTOR.message_types_by_name if name.endswith("Command")}
        assert generated == {name + "Command" for name in names}, module.__name__


def constructed_messages(path: Path) -> set[str]:
    """Names of the *Command messages a module constructs inside its functions (X_pb2.NameCommand(...))."""
    found = set()
    for function in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(function, (ast.FunctionDef, ast.Lambda)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr.endswith("Command"):
                found.add(node.func.attr)
    return found


def test_every_command_has_an_end_to_end_test():
    exercised = set()
    for path in sorted(E2E.glob("*.py")):
        if path.name != Path(__file__).name:
            exercised |= constructed_messages(path)
    missing = sorted(contract_messages() - exercised)
    assert not missing, f"commands of the contract without an e2e test: {missing}"
