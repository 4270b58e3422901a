#!/usr/bin/env python3
"""Checks the layering rules of src/ that the compiler cannot (README, "Architecture"; docs/design/metadata.md).

  1. SQL on the project-metadata schema (`_duckstore.` outside comments) appears only in its owner module,
     src/storage/engine/project_metadata* and project_schema*.
  2. No include cycle between modules under src/. A module is a header under src/include/duckstore/ with the
     sources that implement it: the .cpp of the same path and stem, or a .cpp whose first duckstore include is
     a header of its own folder (the related header comes first, Google style), as the TableService files do.
  3. Transports (src/api) never include duckstore/storage/ directly.
  4. Storage (src/storage) never includes duckstore/services/ or duckstore/api/.

Exits 1 with one line per violation, 0 when all hold. Python 3 standard library only.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
INCLUDE = SRC / "include"
METADATA_OWNERS = ("project_metadata", "project_schema")
# Sources counted as modules of their own although they implement a declaration of another header. One known
# case, to be removed: catalog.hpp still declares the SQLite factory (OpenSqliteCatalog), whose implementation
# needs the SQLite parts, a dependency of the interface on its implementation. Moving that declaration to its
# own header recompiles nearly every file; it goes with the next change of catalog.hpp.
OWN_MODULES = {"src/storage/catalog/sqlite_catalog.cpp"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"(duckstore/[^"]+)"', re.MULTILINE)


def strip_comments(text):
    """The text with // and /* */ comments blanked out; string and character literals are kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("\n" * text.count("\n", i, end))
            i = end
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            open_paren = text.find("(", i + 2)
            delimiter = text[i + 2 : open_paren]
            end = text.find(")" + delimiter + '"', open_paren)
            end = n if end < 0 else end + len(delimiter) + 2
            out.append(text[i:end])
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sources():
    return sorted(p for p in SRC.rglob("*") if p.suffix in (".cpp", ".hpp") and p.is_file())


def rel(path):
    return path.relative_to(ROOT).as_posix()


def check_metadata_sql(files, texts):
    problems = []
    for path in files:
        if path.parent.name == "engine" and path.stem.startswith(METADATA_OWNERS):
            continue
        code = strip_comments(texts[path])
        for number, line in enumerate(code.splitlines(), 1):
            if "_duckstore." in line:
                problems.append(
                    f"{rel(path)}:{number}: SQL on _duckstore.* belongs in storage/engine/project_metadata "
                    "(call its typed API instead)"
                )
    return problems


def module_of(path, texts):
    """The header (as included, "duckstore/...") that names the module `path` belongs to."""
    if path.suffix == ".hpp":
        return path.relative_to(INCLUDE).as_posix()
    if rel(path) in OWN_MODULES:
        return rel(path)
    same_stem = INCLUDE / "duckstore" / path.relative_to(SRC).with_suffix(".hpp")
    if same_stem.exists():
        return same_stem.relative_to(INCLUDE).as_posix()
    first = INCLUDE_RE.search(texts[path])
    mirrored = (pathlib.Path("duckstore") / path.parent.relative_to(SRC)).as_posix()
    if first and (INCLUDE / first.group(1)).exists() and first.group(1).rsplit("/", 1)[0] == mirrored:
        return first.group(1)
    return rel(path)  # a source of its own (main.cpp, ...)


def find_cycles(edges):
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return components


def check_include_cycles(files, texts):
    edges, evidence = {}, {}
    for path in files:
        source = module_of(path, texts)
        for included in INCLUDE_RE.findall(strip_comments(texts[path])):
            if not (INCLUDE / included).exists() or included == source:
                continue
            edges.setdefault(source, set()).add(included)
            evidence.setdefault((source, included), rel(path))
    problems = []
    for component in find_cycles(edges):
        members = set(component)
        links = [
            f"{evidence[(a, b)]} includes {b}"
            for a in component
            for b in sorted(edges.get(a, ()))
            if b in members
        ]
        problems.append("include cycle between " + ", ".join(component) + ": " + "; ".join(links))
    return problems


def check_layer_includes(files, texts, layer, forbidden, why):
    problems = []
    for path in files:
        relative = rel(path)
        if not (relative.startswith(f"src/{layer}/") or relative.startswith(f"src/include/duckstore/{layer}/")):
            continue
        for included in INCLUDE_RE.findall(strip_comments(texts[path])):
            if any(included.startswith(f"duckstore/{prefix}/") for prefix in forbidden):
                problems.append(f"{relative}: includes {included}: {why}")
    return problems


def main():
    files = sources()
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    problems = (
        check_metadata_sql(files, texts)
        + check_include_cycles(files, texts)
        + check_layer_includes(files, texts, "api", ["storage"], "transports call services, never storage")
        + check_layer_includes(
            files, texts, "storage", ["services", "api"], "storage is the lowest layer and knows no caller"
        )
    )
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} violation(s)", file=sys.stderr)
        return 1
    print(f"check_layers: {len(files)} files OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
