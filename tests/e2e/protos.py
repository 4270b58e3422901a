"""Python stubs for duckstore's own .proto files, generated once per test session.

Debian's python3-grpc-tools is too old for proto3 `optional`, so the stubs come from `protoc` and
`grpc_python_plugin` (both from protobuf-compiler-grpc) into a temporary directory put on sys.path.
Import this module, then import the generated packages as usual, e.g.
`from keboola.storage_driver import service_pb2` or `from com.rawlabs.protocol.das.v1.services import ...`.
"""

import atexit
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parents[2] / "proto"


def _generate() -> Path:
    out = Path(tempfile.mkdtemp(prefix="duckstore-pyproto-"))
    atexit.register(shutil.rmtree, out, True)
    plugin = shutil.which("grpc_python_plugin")
    if plugin is None:
        raise RuntimeError("grpc_python_plugin not found (Debian package protobuf-compiler-grpc)")
    sources = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    subprocess.run(
        ["protoc", f"-I{PROTO_ROOT}", f"--python_out={out}", f"--grpc_python_out={out}",
         f"--plugin=protoc-gen-grpc_python={plugin}", *sources],
        check=True,
    )
    # Namespace packages work without __init__.py, but explicit ones keep imports unambiguous.
    for directory in [out, *[d for d in out.rglob("*") if d.is_dir()]]:
        (directory / "__init__.py").touch()
    return out


STUBS_DIR = _generate()
sys.path.insert(0, str(STUBS_DIR))
