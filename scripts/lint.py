#!/usr/bin/env python3
"""Runs clang-tidy (the repository's .clang-tidy) over every src/ file of build/compile_commands.json.

Called by scripts/lint.sh. Files run in parallel (one clang-tidy per core) and each file's findings are
cached under ~/.cache/duckstore-clang-tidy, keyed on the SHA-256 of its preprocessed text (so an edit to the
file or to any header it includes invalidates it), its compile flags, .clang-tidy and the clang-tidy
version. Paths are stored relative to the repository, so clones and worktrees share the cache.

Prints every finding, then the number of findings per file. Exits 1 when there are findings and --strict
is given (or DUCKSTORE_LINT_STRICT=1), 2 when clang-tidy itself fails on a file, 0 otherwise.
"""
import argparse
import collections
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Debian 12's clang-tidy-22 (bookworm-security) rather than its default 14: 22 does not run the checks over
# system headers, which made 14 take ~4x longer per file here (docs/benchmarks.md, "Lint").
TIDY = os.environ.get("CLANG_TIDY", "clang-tidy-22")
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "duckstore-clang-tidy")
FINDING = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): (?:warning|error): .*\[(?P<check>[^\]]+)\]$")


def compile_args(entry):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "-o":
            skip = True
        elif arg != "-c" and arg != entry["file"]:
            out.append(arg)
    return out


# A worktree's .deps may be a symlink to another checkout's; the preprocessor then names headers by the
# link's target, which would key that worktree's results apart from a clone's.
DEPS = os.path.realpath(os.path.join(ROOT, ".deps"))


def relative(text):
    if DEPS != os.path.join(ROOT, ".deps"):
        text = text.replace(DEPS + "/", ".deps/")
    return text.replace(ROOT + "/", "")


def cache_key(entry, salt):
    args = compile_args(entry)
    pre = subprocess.run(args + ["-E", entry["file"]], cwd=entry["directory"], capture_output=True)
    if pre.returncode != 0:
        return None  # clang-tidy will report the error itself
    digest = hashlib.sha256(salt)
    digest.update(relative(" ".join(args[1:])).encode())
    digest.update(relative(pre.stdout.decode(errors="replace")).encode())
    return digest.hexdigest()


def tidy(entry, build_dir, salt):
    key = cache_key(entry, salt)
    path = os.path.join(CACHE, key[:2], key) if key else None
    if path and os.path.exists(path):
        with open(path) as f:
            return entry["file"], f.read(), True, 0
    # Deprecations are the compiler's to report (it builds with -Werror); clang 22 also flags libstdc++ 12's
    # own use of get_temporary_buffer inside std::stable_sort.
    command = [TIDY, "--quiet", "--extra-arg=-Wno-deprecated-declarations", "-p", build_dir, entry["file"]]
    run = subprocess.run(command, cwd=ROOT, capture_output=True)
    text = relative(run.stdout.decode(errors="replace"))
    if path and run.returncode == 0:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    if run.returncode != 0:
        text += relative(run.stderr.decode(errors="replace"))
    return entry["file"], text, False, run.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", dest="build_dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("-j", dest="jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--strict", action="store_true", default=os.environ.get("DUCKSTORE_LINT_STRICT") == "1")
    parser.add_argument("paths", nargs="*", help="only these files, or files under these folders (default: src/)")
    options = parser.parse_args()

    with open(os.path.join(options.build_dir, "compile_commands.json")) as f:
        database = json.load(f)
    prefixes = [os.path.abspath(os.path.join(ROOT, p.rstrip("/"))) for p in (options.paths or ["src"])]

    def selected(entry):
        name = os.path.abspath(entry["file"])
        return any(name == p or name.startswith(p + os.sep) for p in prefixes)

    entries = [e for e in database if selected(e)]
    version = subprocess.run([TIDY, "--version"], capture_output=True).stdout
    with open(os.path.join(ROOT, ".clang-tidy"), "rb") as f:
        salt = version + f.read()

    started = time.monotonic()
    findings = {}  # "file:line:col: ... [check]" -> file; a header's findings repeat in every includer
    failed, hits = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(options.jobs, 1)) as pool:
        for source, text, hit, code in pool.map(lambda e: tidy(e, options.build_dir, salt), entries):
            hits += hit
            if code != 0:
                failed.append(relative(source))
            for line in text.splitlines():
                match = FINDING.match(line)
                if match:
                    findings.setdefault(line, match.group("file"))
    for line in sorted(findings):
        print(line)
    per_file = collections.Counter(findings.values())
    for name, count in sorted(per_file.items()):
        print(f"lint: {count:4d} {name}")
    print(
        f"lint: {len(findings)} finding(s) in {len(per_file)} file(s); {len(entries)} file(s) checked, "
        f"{hits} from the cache, {time.monotonic() - started:.0f}s"
    )
    for name in failed:
        print(f"lint: clang-tidy failed on {name}", file=sys.stderr)
    if failed:
        return 2
    return 1 if findings and options.strict else 0


if __name__ == "__main__":
    sys.exit(main())
