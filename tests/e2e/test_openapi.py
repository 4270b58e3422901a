"""The OpenAPI document served at /openapi.json: valid OpenAPI 3.0, the same as docs/openapi.json, and in step
with the REST routes.

- Structure: openapi/info/paths, every $ref resolves, path parameters match the path templates, operation ids
  are unique, every operation has a success response, security requirements name declared schemes.
- Routes, both ways: the (method, path) set of the document equals the set registered by `router.Add(...)` in
  src/api/rest/*.cpp (string constants and `x + "/suffix"` concatenations resolved); every documented operation
  is served (a request without credentials is answered 401, or 200 for the public endpoints, never
  route_not_found / method_not_allowed); every other method on a documented path gets 405.
- Schemas: a walk through every operation checks that each success response (and the 401 error envelope)
  matches the documented schema, with no undocumented fields, and that each request sent matches the
  documented request schema and query parameters.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from harness import expect_error, seg, unique_id

ROOT = Path(__file__).resolve().parents[2]
# Every HTTP route is registered from one of these (the storage driver adds POST /driver/execute, the dashboard
# its static files).
ROUTE_SOURCES = (ROOT / "src" / "api" / "rest", ROOT / "src" / "api" / "driver", ROOT / "src" / "api" / "ui")
DOC_FILE = ROOT / "docs" / "openapi.json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PUBLIC_PATHS = {"/", "/health", "/ready", "/openapi.json", "/ui", "/ui/{path...}"}
# Path parameters a probe must fill with a real value: the dashboard serves only the files it has.
SAMPLE_VALUES = {"path...": "app.js"}
PROBED_OTHER_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


# ----------------------------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def doc(server) -> dict:
    response = requests.get(server.http_url + "/openapi.json", timeout=30)
    assert response.status_code == 200, response.text[:2000]
    assert response.headers.get("Content-Type", "").startswith("application/json")
    return response.json()


def resolve_pointer(doc: dict, ref: str):
    assert ref.startswith("#/"), f"only local references are used: {ref}"
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolvable $ref {ref}"
        node = node[part]
    return node


def deref(doc: dict, node):
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        assert node["$ref"] not in seen, f"$ref cycle at {node['$ref']}"
        seen.add(node["$ref"])
        node = resolve_pointer(doc, node["$ref"])
    return node


def operations(doc: dict):
    """(METHOD, path, path item, operation) for every operation of the document."""
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield method.upper(), path, item, item[method]


def merged_parameters(doc: dict, item: dict, operation: dict) -> dict:
    """(in, name) -> parameter; operation-level parameters override path-level ones."""
    out = {}
    for raw in item.get("parameters", []) + operation.get("parameters", []):
        parameter = deref(doc, raw)
        out[(parameter["in"], parameter["name"])] = parameter
    return out


def template_names(path: str) -> list[str]:
    return re.findall(r"{([^{}/]+)}", path)


# ------------------------------------------------------------------------------- schema validation (subset)


def flatten(doc: dict, schema) -> list[dict]:
    """The schema and its allOf parts, references resolved."""
    schema = deref(doc, schema)
    parts = [schema]
    for sub in schema.get("allOf", []):
        parts.extend(flatten(doc, sub))
    return parts


def validate(doc: dict, value, schema, where: str = "$") -> None:
    """Checks `value` against an OpenAPI 3.0 schema: $ref, allOf, type, nullable, enum, pattern, required,
    properties, additionalProperties, items. Strict: an object whose schema declares properties and says nothing
    of additionalProperties may not carry other fields (undocumented fields fail)."""
    parts = flatten(doc, schema)
    if value is None:
        typed = [p for p in parts if "type" in p]
        assert not typed or any(p.get("nullable") for p in typed), f"{where}: null is not allowed"
        return
    for part in parts:
        kind = part.get("type")
        if kind == "object":
            assert isinstance(value, dict), f"{where}: expected an object, got {value!r}"
        elif kind == "array":
            assert isinstance(value, list), f"{where}: expected an array, got {value!r}"
        elif kind == "string":
            assert isinstance(value, str), f"{where}: expected a string, got {value!r}"
        elif kind == "integer":
            assert isinstance(value, int) and not isinstance(value, bool), f"{where}: expected an integer, got {value!r}"
        elif kind == "number":
            assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{where}: expected a number"
        elif kind == "boolean":
            assert isinstance(value, bool), f"{where}: expected a boolean, got {value!r}"
        if "enum" in part:
            assert value in part["enum"], f"{where}: {value!r} not in {part['enum']}"
        if "pattern" in part and isinstance(value, str):
            assert re.search(part["pattern"], value), f"{where}: {value!r} does not match {part['pattern']}"
        if isinstance(value, list) and "items" in part:
            for i, item in enumerate(value):
                validate(doc, item, part["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        declared: dict = {}
        extra_allowed = not any("properties" in p for p in parts)
        for part in parts:
            declared.update(part.get("properties", {}))
            for name in part.get("required", []):
                assert name in value, f"{where}: required field '{name}' missing in {value!r}"
            extra = part.get("additionalProperties")
            if extra is True:
                extra_allowed = True
            elif isinstance(extra, dict):
                extra_allowed = True
                for name, item in value.items():
                    if name not in part.get("properties", {}):
                        validate(doc, item, extra, f"{where}.{name}")
        for name, item in value.items():
            if name in declared:
                validate(doc, item, declared[name], f"{where}.{name}")
            else:
                assert extra_allowed, f"{where}: undocumented field '{name}' in {value!r}"


# ------------------------------------------------------------------------------------ routes in the source


def cpp_string(literal: str) -> str:
    return bytes(literal, "utf-8").decode("unicode_escape")


def evaluate(expr: str, variables: dict[str, str]) -> str | None:
    """Value of a C++ expression made of string literals and known names joined by '+', else None."""
    out = ""
    for term in re.split(r"\s*\+\s*", expr.strip()):
        term = re.sub(r"^std::string(?:_view)?\s*\((.*)\)$", r"\1", term.strip())
        if m := re.fullmatch(r'"((?:[^"\\]|\\.)*)"', term):
            out += cpp_string(m.group(1))
        elif term in variables:
            out += variables[term]
        else:
            return None
    return out


STRING_LITERAL = r'"(?:[^"\\]|\\.)*"'
EXPRESSION = rf'(?:{STRING_LITERAL}|[^;{{}}"])+?'  # up to ';', braces allowed inside string literals only
ASSIGNMENT_RE = re.compile(
    r"(?:constexpr\s+|static\s+|inline\s+|const\s+)*"
    r"(?:const\s+char\s*\*\s*(?:const\s+)?|char\s+const\s*\*\s*|std::string(?:_view)?\s+|auto\s+)"
    rf"(\w+)\s*(?:=\s*({EXPRESSION})|\{{({EXPRESSION})\}})\s*;")
# routes.Add / AddRecord / AddPublic / router.Add("METHOD", <path expression>, <access declaration, entry point or
# handler>...)
ADD_RE = re.compile(r'\b(?:routes|router)\s*\.\s*Add(?:Record|Public)?\s*\(\s*"([A-Za-z]+)"\s*,\s*(.*?)\s*,\s*'
                    r'(?:Access::|std::move|\[|std::bind|&|\w*entry\b)', re.S)


def source_routes() -> set[tuple[str, str]]:
    routes: set[tuple[str, str]] = set()
    files = sorted(f for directory in ROUTE_SOURCES for f in directory.glob("*.cpp"))
    assert files, f"no route sources under {ROUTE_SOURCES}"
    for path in files:
        # Comments name paths too; string literals are kept whole.
        text = re.sub(rf"({STRING_LITERAL})|//[^\n]*|/\*.*?\*/", lambda m: m.group(1) or " ", path.read_text(),
                      flags=re.S)
        # String-valued names of the file; a name given two different values is ambiguous and not used.
        variables: dict[str, str] = {}
        ambiguous: set[str] = set()
        for _ in range(3):  # later definitions may use earlier ones
            for m in ASSIGNMENT_RE.finditer(text):
                value = evaluate(m.group(2) or m.group(3), variables)
                if value is None or m.group(1) in ambiguous:
                    continue
                if variables.get(m.group(1), value) != value:
                    ambiguous.add(m.group(1))
                    del variables[m.group(1)]
                else:
                    variables[m.group(1)] = value
        calls = len(re.findall(r"\b(?:routes|router)\s*\.\s*Add(?:Record|Public)?\s*\(", text))
        found = ADD_RE.findall(text)
        assert len(found) == calls, f"{path.name}: {calls} routes.Add calls, {len(found)} understood by this test"
        for method, expr in found:
            value = evaluate(expr, variables)
            assert value is not None, f"{path.name}: cannot resolve the path expression `{expr}` of a {method} route"
            assert (method, value) not in routes, f"{method} {value} is registered twice"
            routes.add((method, value))
    return routes


def documented_routes(doc: dict) -> set[tuple[str, str]]:
    return {(method, path) for method, path, _, _ in operations(doc)}


def sample_path(path: str) -> str:
    """The template with every {name} replaced by a sample value that is no literal segment of any route."""
    return re.sub(r"{([^{}/]+)}", lambda m: SAMPLE_VALUES.get(m.group(1)) or seg(f"probe-{m.group(1)}"), path)


# ----------------------------------------------------------------------------------------------- the tests


def test_served_document_is_docs_openapi_json(doc):
    on_disk = json.loads(DOC_FILE.read_text())
    assert doc == on_disk, "the server serves a different document than docs/openapi.json: rebuild the binary"
    assert ')openapi"' not in DOC_FILE.read_text(), "the document would end the C++ raw string literal"


def test_document_is_structurally_valid_openapi_3(doc):
    assert re.fullmatch(r"3\.0\.\d+", doc.get("openapi", "")), doc.get("openapi")
    assert isinstance(doc["info"]["title"], str) and doc["info"]["title"]
    assert isinstance(doc["info"]["version"], str) and doc["info"]["version"]
    assert isinstance(doc["paths"], dict) and doc["paths"]

    # Every $ref anywhere resolves.
    def walk(node, where):
        if isinstance(node, dict):
            if "$ref" in node:
                assert isinstance(node["$ref"], str), where
                deref(doc, node)
            for key, child in node.items():
                walk(child, f"{where}/{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{where}/{i}")

    walk(doc, "#")

    schemes = doc.get("components", {}).get("securitySchemes", {})
    assert schemes, "no security schemes"
    for requirement in doc.get("security", []):
        assert set(requirement) <= set(schemes), requirement

    operation_ids = []
    for method, path, item, operation in operations(doc):
        where = f"{method} {path}"
        assert path.startswith("/"), where
        assert set(item) <= set(HTTP_METHODS) | {"parameters", "summary", "description", "servers"}, where
        if "operationId" in operation:
            operation_ids.append(operation["operationId"])
        parameters = merged_parameters(doc, item, operation)
        for (location, name), parameter in parameters.items():
            assert location in ("query", "header", "path", "cookie"), f"{where}: parameter {name} in {location}"
            assert "schema" in parameter or "content" in parameter, f"{where}: parameter {name} has no schema"
            if location == "path":
                assert parameter.get("required") is True, f"{where}: path parameter {name} must be required"
        declared_path = sorted(name for (location, name) in parameters if location == "path")
        assert declared_path == sorted(template_names(path)), f"{where}: path parameters {declared_path}"
        responses = operation.get("responses")
        assert isinstance(responses, dict) and responses, f"{where}: no responses"
        assert any(code.startswith("2") for code in responses), f"{where}: no success response"
        for code, raw in responses.items():
            assert code == "default" or re.fullmatch(r"[1-5][0-9][0-9]", code), f"{where}: response {code}"
            response = deref(doc, raw)
            assert isinstance(response.get("description"), str), f"{where} {code}: no description"
            for media in response.get("content", {}).values():
                assert "schema" in media, f"{where} {code}: content without a schema"
        if "requestBody" in operation:
            body = deref(doc, operation["requestBody"])
            media_types = set(body.get("content", {}))
            assert media_types & {"application/json", "application/octet-stream"}, \
                f"{where}: request body is neither JSON nor binary"
        for requirement in operation.get("security", []):
            assert set(requirement) <= set(schemes), f"{where}: {requirement}"
    assert len(operation_ids) == len(set(operation_ids)), "duplicate operationId"

    # Every object schema's required fields are among its properties.
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        for part in [schema] + schema.get("allOf", []):
            part = deref(doc, part)
            if "properties" in part:
                missing = set(part.get("required", [])) - set(part["properties"])
                assert not missing, f"schema {name}: required {missing} not among its properties"

    # The schemas the API is described with.
    schemas = doc["components"]["schemas"]
    for name in ("Project", "ProjectCreated", "ApiKey", "IssuedApiKey", "Bucket", "Table", "Column", "Preview",
                 "Filter", "OrderBy", "Error", "PageInfo"):
        assert name in schemas, f"components.schemas.{name} missing"


def test_documented_routes_equal_source_routes(doc):
    registered = source_routes()
    documented = documented_routes(doc)
    assert len(registered) >= 30, f"suspiciously few routes parsed from the source: {sorted(registered)}"
    assert not registered - documented, f"registered but not documented: {sorted(registered - documented)}"
    assert not documented - registered, f"documented but not registered: {sorted(documented - registered)}"


def test_documented_routes_are_served(doc, server):
    for method, path, _, operation in operations(doc):
        response = requests.request(method, server.http_url + sample_path(path), timeout=30)
        where = f"{method} {path}"
        is_json = response.headers.get("Content-Type", "").startswith("application/json")
        code = response.json().get("error", {}).get("code") if response.content and is_json else None
        assert not (response.status_code == 404 and code == "route_not_found"), f"{where} is not served"
        assert response.status_code != 405, f"{where}: method not allowed"
        assert str(response.status_code) in operation["responses"], f"{where}: undocumented {response.status_code}"
        public = operation.get("security", doc.get("security")) == []
        assert public == (path in PUBLIC_PATHS), f"{where}: security is {operation.get('security')}"
        if public:
            assert response.status_code == 200, f"{where}: {response.status_code} {response.text[:500]}"
        else:
            expect_error(response, 401, "unauthorized")
            assert response.headers.get("WWW-Authenticate") == "Bearer", where
            error = deref(doc, operation["responses"]["401"])
            validate(doc, response.json(), error["content"]["application/json"]["schema"], f"{where} 401")

    response = requests.get(server.http_url + "/no-such-endpoint", timeout=30)
    expect_error(response, 404, "route_not_found")


def test_other_methods_on_documented_paths_are_not_allowed(doc, server):
    for path, item in doc["paths"].items():
        for method in PROBED_OTHER_METHODS:
            if method.lower() in item:
                continue
            response = requests.request(method, server.http_url + sample_path(path), timeout=30)
            expect_error(response, 405, "method_not_allowed")


class Walk:
    """Calls documented operations and checks requests and responses against the document."""

    def __init__(self, doc: dict, server):
        self.doc = doc
        self.server = server
        self.covered: set[tuple[str, str]] = set()

    def call(self, key: str | None, method: str, template: str, expect: int, *, query: dict | None = None,
             json_body=None, data: bytes | None = None, headers: dict | None = None, **path_values):
        item = self.doc["paths"][template]
        operation = item[method.lower()]
        where = f"{method} {template}"
        parameters = merged_parameters(self.doc, item, operation)
        undeclared = set(query or {}) - {name for (location, name) in parameters if location == "query"}
        assert not undeclared, f"{where}: undocumented query parameters {undeclared}"
        if json_body is not None:
            assert "requestBody" in operation, f"{where}: takes no documented body"
            body_schema = deref(self.doc, operation["requestBody"])["content"]["application/json"]["schema"]
            validate(self.doc, json_body, body_schema, f"{where} request")
        path = re.sub(r"{([^{}/]+)}", lambda m: seg(path_values[m.group(1)]), template)
        all_headers = {"Authorization": f"Bearer {key}"} if key else {}
        all_headers.update(headers or {})
        if data is not None:
            assert "application/octet-stream" in deref(self.doc, operation["requestBody"])["content"], \
                f"{where}: takes no documented binary body"
        response = requests.request(method, self.server.http_url + path, params=query, json=json_body,
                                    data=data, headers=all_headers, timeout=60)
        assert response.status_code == expect, f"{where}: expected {expect}, got {response.status_code}: " \
                                                f"{response.text[:2000]}"
        assert str(expect) in operation["responses"], f"{where}: status {expect} is not documented"
        documented = deref(self.doc, operation["responses"][str(expect)])
        self.covered.add((method, template))
        if "content" not in documented:
            assert response.content == b"", f"{where}: documented without a body, got {response.text[:500]}"
            return None
        if "application/json" not in documented["content"]:  # a download: raw bytes
            assert response.headers["Content-Type"] in documented["content"] or \
                "application/octet-stream" in documented["content"], f"{where}: undocumented content type"
            return response.content
        body = response.json()
        validate(self.doc, body, documented["content"]["application/json"]["schema"], f"{where} {expect}")
        return body


def test_every_operation_matches_its_documented_schemas(doc, server):
    walk = Walk(doc, server)
    admin = server.admin_key

    for path in ("/", "/health", "/ready", "/openapi.json"):
        walk.call(None, "GET", path, 200)
    assert walk.call(admin, "GET", "/metrics", 200).startswith(b"# HELP ")
    assert b"<html" in walk.call(None, "GET", "/ui", 200)
    assert b"import" in walk.call(None, "GET", "/ui/{path...}", 200, **{"path...": "app.js"})
    walk.call(admin, "GET", "/whoami", 200)

    project_id = unique_id("openapi")
    created = walk.call(admin, "POST", "/projects", 201,
                        json_body={"id": project_id, "name": "OpenAPI walk", "settings": {"tier": "test"}})
    key = created["api_key"]
    P = {"project_id": project_id}
    try:
        walk.call(admin, "GET", "/projects", 200, query={"limit": 5, "offset": 0})
        walk.call(key, "GET", "/projects/{project_id}", 200, **P)
        # The second documented scheme: the key in X-Api-Key.
        walk.call(None, "GET", "/projects/{project_id}", 200, headers={"X-Api-Key": key}, **P)
        walk.call(key, "PUT", "/projects/{project_id}", 200, json_body={"name": "renamed", "settings": {"a": 1}},
                  **P)
        walk.call(key, "GET", "/projects/{project_id}/stats", 200, **P)
        assert walk.call(key, "GET", "/whoami", 200)["key"]["project_id"] == project_id

        keys = "/projects/{project_id}/api-keys"
        issued = walk.call(key, "POST", keys, 201, json_body={
            "scope": "branch_read", "branch_id": "default", "description": "reader", "expires_in_days": 30}, **P)
        walk.call(key, "GET", keys, 200, **P)
        walk.call(key, "GET", keys + "/{key_id}", 200, key_id=issued["id"], **P)
        rotated = walk.call(key, "POST", keys + "/{key_id}/rotate", 201, key_id=issued["id"], **P)
        walk.call(key, "DELETE", keys + "/{key_id}", 204, key_id=rotated["id"], **P)

        buckets = "/projects/{project_id}/branches/{branch_id}/buckets"
        B = {**P, "branch_id": "default"}
        walk.call(key, "POST", buckets, 201, json_body={"name": "in.c-sales", "description": "sales"}, **B)
        walk.call(key, "GET", buckets, 200, query={"limit": 10, "offset": 0}, **B)
        BK = {**B, "bucket": "in.c-sales"}
        walk.call(key, "GET", buckets + "/{bucket}", 200, **BK)

        tables = buckets + "/{bucket}/tables"
        table = tables + "/{table}"
        walk.call(key, "POST", tables, 201, json_body={
            "name": "orders",
            "columns": [{"name": "id", "type": "INTEGER", "nullable": False},
                        {"name": "amount", "type": "DECIMAL(12,2)", "default": 0},
                        {"name": "note", "type": "VARCHAR"}],
            "primary_key": ["id"]}, **BK)
        walk.call(key, "GET", tables, 200, query={"limit": 10, "offset": 0}, **BK)
        T = {**BK, "table": "orders"}
        walk.call(key, "GET", table, 200, **T)
        walk.call(key, "GET", table + "/stats", 200, **T)

        walk.call(key, "POST", table + "/columns", 201,
                  json_body={"name": "status", "type": "varchar", "nullable": True, "default": "new"}, **T)
        walk.call(key, "PUT", table + "/columns/{column}", 200, json_body={"new_name": "state"}, column="status",
                  **T)
        walk.call(key, "DELETE", table + "/columns/{column}", 200, column="state", **T)
        walk.call(key, "DELETE", table + "/primary-key", 200, **T)
        walk.call(key, "POST", table + "/primary-key", 201, json_body={"columns": ["id"]}, **T)

        inserted = walk.call(key, "POST", table + "/rows", 201, json_body={
            "rows": [{"id": 1, "amount": "9.90", "note": "first"}, {"id": 2, "amount": 5, "note": None},
                     {"id": 3, "note": "x" * 20000}]}, **T)
        assert inserted == {"inserted_rows": 3, "rows_after": 3}
        preview = walk.call(key, "GET", table + "/preview", 200,
                            query={"columns": "id,note", "order_by": "id:desc", "limit": 10}, **T)
        assert preview["columns"] == ["id", "note"] and [r["id"] for r in preview["rows"]] == [3, 2, 1]
        assert preview["truncated"] == [{"row": 0, "column": "note"}]
        preview = walk.call(key, "POST", table + "/preview", 200, json_body={
            "columns": ["id", "note"],
            "filters": [{"column": "id", "operator": "in", "values": [1, 2]},
                        {"column": "note", "operator": "is_not_null"}],
            "order_by": [{"column": "id", "order": "asc"}],
            "limit": 5}, **T)
        assert preview["rows"] == [{"id": 1, "note": "first"}] and preview["total_row_count"] == 1
        deleted = walk.call(key, "DELETE", table + "/rows", 200,
                            json_body={"filters": [{"column": "id", "operator": "eq", "value": 1}]}, **T)
        assert deleted == {"deleted_rows": 1, "rows_after": 2}

        # History: the table's versions, a past state, a restore into a new table (dropped again: listed).
        walk.call(key, "GET", table + "/history", 200, **T)
        time.sleep(0.01)
        at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        walk.call(key, "GET", table + "/preview", 200, query={"at": at, "limit": 10}, **T)
        walk.call(key, "POST", table + "/restore", 201, json_body={"at": at, "destination": {"table": "then"}}, **T)
        walk.call(key, "DELETE", table, 204, **{**T, "table": "then"})
        walk.call(key, "GET", "/projects/{project_id}/branches/{branch_id}/dropped-tables", 200, **B)
        walk.call(key, "GET", "/projects/{project_id}/retention", 200, **P)
        walk.call(key, "PUT", "/projects/{project_id}/retention", 200, json_body={"dataRetentionTimeInDays": 7}, **P)

        # Dev branches: a write on the branch copies the table there; reset discards the copy.
        branches = "/projects/{project_id}/branches"
        D = {**P, "branch_id": "dev"}
        walk.call(key, "POST", branches, 201, json_body={"name": "dev", "id": "dev", "description": "d"}, **P)
        walk.call(key, "GET", branches, 200, query={"limit": 10, "offset": 0}, **P)
        walk.call(key, "GET", branches + "/{branch_id}", 200, **D)
        walk.call(key, "DELETE", table + "/rows", 200, json_body={}, **{**T, **D})
        walk.call(key, "POST", table + "/reset", 200, **{**T, **D})

        # Workspaces, on the dev branch.
        workspaces = branches + "/{branch_id}/workspaces"
        W = {**D, "workspace_id": "w1"}
        created = walk.call(key, "POST", workspaces, 201, json_body={"id": "w1"}, **D)
        walk.call(key, "GET", workspaces, 200, query={"limit": 10, "offset": 0}, **D)
        source = {"bucket": "in.c-sales", "table": "orders"}
        walk.call(key, "POST", workspaces + "/{workspace_id}/load", 200, json_body={
            "source": source, "destination": "o", "columns": ["id", {"source": "note", "destination": "n"}],
            "filters": [{"column": "id", "operator": "ge", "value": 1}], "limit": 10, "mode": "copy"}, **W)
        walk.call(key, "POST", workspaces + "/{workspace_id}/load", 200,
                  json_body={"source": source, "destination": "v", "mode": "view"}, **W)
        walk.call(key, "GET", workspaces + "/{workspace_id}", 200, **W)
        walk.call(key, "DELETE", workspaces + "/{workspace_id}/objects/{object}", 204, object="v", **W)
        walk.call(key, "POST", workspaces + "/{workspace_id}/clear", 204, json_body={"preserve": ["o"]}, **W)
        user = walk.call(key, "POST", workspaces + "/{workspace_id}/users", 201, **W)
        walk.call(key, "POST", workspaces + "/{workspace_id}/users/{user}/reset-password", 200, user=user["user"],
                  **W)
        walk.call(key, "DELETE", workspaces + "/{workspace_id}/users/{user}", 204, user=user["user"], **W)
        # A PostgreSQL session of the workspace, listed and ended.
        import psycopg2
        pg = psycopg2.connect(host=walk.server.pg_host, port=walk.server.pg_port, dbname="w1",
                              user=created["credentials"]["user"], password=created["credentials"]["password"])
        try:
            listed = walk.call(key, "GET", workspaces + "/{workspace_id}/sessions", 200, **W)
            assert [s["pid"] for s in listed["sessions"]] == [pg.info.backend_pid]
            walk.call(key, "DELETE", workspaces + "/{workspace_id}/sessions/{pid}", 204,
                      pid=str(pg.info.backend_pid), **W)
            deadline = time.monotonic() + 10
            while walk.call(key, "GET", workspaces + "/{workspace_id}/sessions", 200, **W)["sessions"]:
                assert time.monotonic() < deadline, "the ended session is still listed"
                time.sleep(0.05)
            walk.call(key, "DELETE", workspaces + "/{workspace_id}/sessions/{pid}", 404,
                      pid=str(pg.info.backend_pid), **W)
        finally:
            pg.close()
        walk.call(key, "DELETE", workspaces + "/{workspace_id}", 204, **W)
        walk.call(key, "DELETE", branches + "/{branch_id}", 204, **D)

        # Sharing: a second project links the shared bucket.
        walk.call(key, "POST", buckets + "/{bucket}/share", 200, json_body={"target_project_ids": []}, **BK)
        walk.call(key, "GET", buckets + "/{bucket}/share", 200, **BK)
        walk.call(key, "PUT", buckets + "/{bucket}/readonly-grant", 204, **BK)
        walk.call(key, "GET", "/projects/{project_id}/readonly-grants", 200, **P)
        walk.call(key, "GET", "/projects/{project_id}/branches/{branch_id}/readonly-grants", 200,
                  **{**P, "branch_id": "default"})
        walk.call(key, "DELETE", buckets + "/{bucket}/readonly-grant", 204, **BK)
        other_id = unique_id("openapi")
        other_key = walk.call(admin, "POST", "/projects", 201, json_body={"id": other_id})["api_key"]
        try:
            L = {"project_id": other_id, "branch_id": "default", "bucket": "in.c-linked"}
            linked = walk.call(other_key, "POST", buckets + "/{bucket}/link", 201,
                               json_body={"source_project_id": project_id, "source_bucket": "in.c-sales"}, **L)
            assert linked["is_linked"] and linked["table_count"] == 1
            walk.call(other_key, "DELETE", buckets + "/{bucket}/link", 204, **L)
        finally:
            requests.delete(f"{server.http_url}/projects/{seg(other_id)}",
                            headers={"Authorization": f"Bearer {admin}"}, timeout=60)
        walk.call(key, "DELETE", buckets + "/{bucket}/share", 204, **BK)
        # Import, export and jobs (the source file goes up through the files API).
        uploaded = requests.post(f"{server.http_url}/projects/{seg(project_id)}/files", params={"name": "o.csv"},
                                 data=b"id,amount,note\n10,1.50,imported\n",
                                 headers={"Authorization": f"Bearer {key}"}, timeout=60)
        assert uploaded.status_code == 201, uploaded.text
        source = {"bucket": uploaded.json()["bucket"], "key": uploaded.json()["key"]}
        imported = walk.call(key, "POST", table + "/import", 200, json_body={
            **source, "import_type": "incremental", "import_strategy": "user_defined_table"}, **T)
        assert imported["imported_rows"] == 1 and imported["table_rows"] == 3
        walk.call(key, "POST", table + "/export", 200, json_body={
            "key": "exports/orders.csv", "columns": ["id", "note"], "order_by": [{"column": "id"}], "gzip": True}, **T)
        walk.call(key, "POST", tables + "/{table}/import-table", 200, json_body={
            "source": {"bucket": "in.c-sales", "table": "orders"}, "import_type": "clone"}, **{**BK, "table": "copy"})
        job = walk.call(key, "POST", table + "/export", 202, json_body={
            "key": "exports/orders.parquet", "format": "parquet", "async": True}, **T)
        J = {**P, "job_id": job["id"]}
        walk.call(key, "GET", "/projects/{project_id}/jobs", 200, query={"limit": 10, "offset": 0}, **P)
        for _ in range(600):
            if walk.call(key, "GET", "/projects/{project_id}/jobs/{job_id}", 200, **J)["status"] == "succeeded":
                break
            time.sleep(0.05)
        walk.call(key, "DELETE", "/projects/{project_id}/jobs/{job_id}", 409, **J)

        walk.call(key, "DELETE", table, 204, **T)
        # The storage driver over HTTP: credentials travel in the request, not in headers.
        listed = walk.call(None, "POST", "/driver/execute", 200, json_body={
            "credentials": {"@type": "type.googleapis.com/keboola.storageDriver.credentials.GenericBackendCredentials",
                            "host": project_id, "principal": key},
            "command": {"@type": "type.googleapis.com/keboola.storageDriver.command.info.ListSchemasCommand"},
            "features": [],
            "runtimeOptions": {"runId": "openapi-walk", "queryTags": {"branch_id": "default"}}})
        assert "in.c-sales" in listed["commandResponse"]["schemas"]
        walk.call(key, "DELETE", buckets + "/{bucket}", 204, query={"cascade": "true"}, **BK)

        files = "/projects/{project_id}/files"
        uploaded = walk.call(key, "POST", files, 201, query={"name": "data.csv", "tags": "in,daily"},
                             data=b"id,name\n1,a\n", headers={"Content-Type": "text/csv"}, **P)
        F = {**P, "file_id": uploaded["id"]}
        registered = walk.call(key, "POST", "/projects/{project_id}/registered-files", 201, json_body={
            "name": "again.csv", "bucket": uploaded["bucket"], "key": uploaded["key"], "tags": ["copy"]}, **P)
        walk.call(key, "GET", files, 200, query={"tags": "in", "limit": 10, "offset": 0}, **P)
        walk.call(key, "GET", files + "/{file_id}", 200, **F)
        assert walk.call(key, "GET", files + "/{file_id}/content", 200, **F) == b"id,name\n1,a\n"
        assert walk.call(key, "GET", files + "/{file_id}/content", 206, headers={"Range": "bytes=0-1"}, **F) == b"id"
        walk.call(key, "DELETE", files + "/{file_id}", 204, **{**P, "file_id": registered["id"]})
        walk.call(key, "DELETE", files + "/{file_id}", 204, **F)
        # Last: the operations log holds the mutations above.
        operations_page = walk.call(key, "GET", "/projects/{project_id}/operations", 200, query={"limit": 100},
                                    **P)
        assert operations_page["total"] >= 10
        walk.call(admin, "DELETE", "/projects/{project_id}", 204, **P)
    finally:
        cleanup = requests.delete(f"{server.http_url}/projects/{seg(project_id)}",
                                  headers={"Authorization": f"Bearer {admin}"}, timeout=60)
        assert cleanup.status_code in (204, 404), cleanup.text

    missing = documented_routes(doc) - walk.covered
    assert not missing, f"operations not exercised by this walk (add them): {sorted(missing)}"
