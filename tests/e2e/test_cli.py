"""The command-line client (`duckstore <subcommand>`) against a real server: endpoint and key from the
environment, flags and a 0600 profile file; projects, keys, buckets, tables (from columns and from a CSV
header), import with progress and job following, preview with filters, export and download, files, jobs,
branches, workspaces, SQL queries, table history (versions, past states, restore, undrop, retention); output
formats; exit codes and error codes; help and shell completion; progress drawn in place on a pseudo-terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import select
import subprocess
import time

import pytest

from harness import binary, unique_id


class Cli:
    def __init__(self, server, key: str, home):
        self.home = home
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DUCKSTORE_")}
        self.env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), DUCKSTORE_URL=server.http_url,
                        DUCKSTORE_API_KEY=key)
        self.env.pop("TERM", None)

    def run(self, *args, expect: int = 0, env: dict | None = None, stdin: str | None = None):
        result = subprocess.run([binary(), *args], capture_output=True, text=True, timeout=120, input=stdin,
                                env={**self.env, **(env or {})})
        assert result.returncode == expect, (
            f"duckstore {' '.join(args)}: exit {result.returncode}, expected {expect}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    def json(self, *args):
        return json.loads(self.run(*args, "-o", "json").stdout)


@pytest.fixture
def admin_cli(server, tmp_path):
    return Cli(server, server.admin_key, tmp_path)


@pytest.fixture
def project_cli(server, tmp_path, admin_cli):
    pid = unique_id("cli")
    created = admin_cli.json("projects", "create", pid, "--name", "CLI test")
    assert created["id"] == pid and created["api_key"]
    cli = Cli(server, created["api_key"], tmp_path)
    cli.project = pid
    yield cli
    admin_cli.run("projects", "delete", pid)


def write_csv(path, rows: int):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "amount"])
        for i in range(rows):
            w.writerow([i, f"name-{i}", f"{i * 1.5:.2f}"])


def test_tables_import_preview_export_round_trip(project_cli, tmp_path):
    cli, p = project_cli, ["-p", project_cli.project]
    cli.run("buckets", "create", "in.c-sales", *p)
    assert [b["name"] for b in cli.json("buckets", "list", *p)] == ["in.c-sales"]
    source = tmp_path / "orders.csv"
    write_csv(source, 2000)
    created = cli.json("tables", "create", "in.c-sales", "orders", "--from-csv", str(source), "--primary-key", "id", *p)
    assert [c["name"] for c in created["columns"]] == ["id", "name", "amount"] and created["primary_key"] == ["id"]

    imported = cli.run("import", "in.c-sales", "orders", str(source), *p)
    # Not a terminal: plain progress lines on stderr, the result on stdout.
    assert "upload orders.csv:" in imported.stderr and "\r" not in imported.stderr
    assert "succeeded" in imported.stderr
    lines = imported.stdout.splitlines()
    assert lines[0].split() == ["IMPORTED_ROWS", "TABLE_ROWS", "TABLE_SIZE_BYTES"]
    assert lines[1].split()[:2] == ["2000", "2000"]

    preview = cli.run("tables", "preview", "in.c-sales", "orders", "--where", "name=name-7", *p, "-o", "csv")
    assert list(csv.DictReader(io.StringIO(preview.stdout))) == [{"id": "7", "name": "name-7", "amount": "10.50"}]
    top = cli.json("tables", "preview", "in.c-sales", "orders", "--order-by", "id:desc", "--limit", "2", *p)
    assert [row["id"] for row in top["rows"]] == ["999", "998"]  # a table made from a CSV header is VARCHAR

    described = cli.run("tables", "describe", "in.c-sales", "orders", *p).stdout
    assert described.splitlines()[0].split() == ["COLUMN", "TYPE", "NULLABLE", "DEFAULT", "PRIMARY_KEY"]
    assert "rows: 2000" in described

    out = tmp_path / "back.csv"
    exported = cli.json("export", "in.c-sales", "orders", str(out), *p)
    assert exported["exported_rows"] == 2000 and exported["file"] == str(out)
    with open(out) as f:
        back = sorted(csv.DictReader(f), key=lambda r: int(r["id"]))
    assert len(back) == 2000 and back[7] == {"id": "7", "name": "name-7", "amount": "10.50"}

    jobs = cli.json("jobs", "list", *p)
    assert {j["kind"] for j in jobs} == {"table.import", "table.export"}
    assert all(j["status"] == "succeeded" for j in jobs)
    files = cli.json("files", "list", *p)
    assert {f["name"] for f in files} >= {"orders.csv"}
    cli.run("tables", "delete", "in.c-sales", "orders", *p)
    assert cli.json("tables", "list", "in.c-sales", *p) == []


def test_tables_from_columns_and_output_formats(project_cli):
    cli, p = project_cli, ["-p", project_cli.project]
    cli.run("buckets", "create", "in.c-x", "--description", "a, \"quoted\" description", *p)
    cli.run("tables", "create", "in.c-x", "t", "-c", "id:INTEGER", "-c", "note", *p)
    table = cli.run("tables", "list", "in.c-x", *p).stdout.splitlines()
    assert table[0].split() == ["NAME", "TYPE", "ROW_COUNT", "SIZE_BYTES", "PRIMARY_KEY", "CREATED_AT"]
    assert table[1].split()[:3] == ["t", "table", "0"]
    rows = list(csv.DictReader(io.StringIO(cli.run("buckets", "list", *p, "-o", "csv").stdout)))
    assert rows[0]["description"] == 'a, "quoted" description'
    columns = cli.json("tables", "describe", "in.c-x", "t", *p)["columns"]
    assert [(c["name"], c["type"]) for c in columns] == [("id", "INTEGER"), ("note", "VARCHAR")]


def test_keys_branches_workspaces(project_cli):
    cli, p = project_cli, ["-p", project_cli.project]
    key = cli.json("keys", "create", "--scope", "branch_read", "--key-branch", "default", "--description", "reader",
                   *p)
    assert key["api_key"] and key["scope"] == "branch_read"
    listed = cli.json("keys", "list", *p)
    assert key["id"] in {k["id"] for k in listed} and "api_key" not in json.dumps(listed)
    # The read-only key can read but not write; the server's code reaches stderr and the exit code is 1.
    reader = Cli.__new__(Cli)
    reader.env = {**cli.env, "DUCKSTORE_API_KEY": key["api_key"]}
    reader.run("buckets", "list", *p)
    failed = reader.run("buckets", "create", "in.c-nope", *p, expect=1)
    assert "error forbidden" in failed.stderr and "(HTTP 403)" in failed.stderr and failed.stdout == ""
    cli.run("keys", "revoke", key["id"], *p)

    branch = cli.json("branches", "create", "feature-1", *p)
    assert branch["name"] == "feature-1"
    assert branch["id"] in [b["id"] for b in cli.json("branches", "list", *p)]
    workspace = cli.json("workspaces", "create", *p, "--sql-port", "6543")
    assert workspace["psql"].startswith('psql "postgresql://') and ":6543/" in workspace["psql"]
    assert workspace["password"] and workspace["password"] not in workspace["psql"]
    cli.run("workspaces", "delete", workspace["id"], *p)
    cli.run("branches", "delete", branch["id"], *p)


def test_exit_codes_and_errors(admin_cli, server):
    assert admin_cli.run("no-such-command", expect=2).stderr
    assert "required" in admin_cli.run("buckets", "create", "-p", "x", expect=2).stderr.lower()
    missing = admin_cli.run("buckets", "list", expect=1)
    assert "error missing_project" in missing.stderr
    gone = admin_cli.run("tables", "describe", "in.c-none", "t", "-p", unique_id("none"), expect=1)
    assert re.search(r"^duckstore: error [a-z_]+_not_found: .* \(HTTP 404\)$", gone.stderr.strip()), gone.stderr
    down = admin_cli.run("status", "--url", "http://127.0.0.1:1", expect=1)
    assert "error connection_failed" in down.stderr
    assert admin_cli.run("status", "--url", "ftp://x", expect=1).stderr.startswith("duckstore: error invalid_url")
    status = admin_cli.json("status")
    assert status["status"] == "ok" and status["ready"] == "ready"
    # No secret is echoed: not in the output of a failed call, not in status.
    bad = admin_cli.run("projects", "list", env={"DUCKSTORE_API_KEY": "dsadmin.not-the-key"}, expect=1)
    assert "not-the-key" not in bad.stderr + bad.stdout and "error unauthorized" in bad.stderr


def test_help_on_every_level(admin_cli):
    for args in ([], ["buckets"], ["tables", "create"], ["import"], ["serve"]):
        result = admin_cli.run(*args, "--help")
        assert "Usage" in result.stdout or "usage" in result.stdout.lower(), args


def test_profile_file_must_be_private(server, tmp_path):
    cli = Cli(server, "", tmp_path)
    del cli.env["DUCKSTORE_URL"], cli.env["DUCKSTORE_API_KEY"]
    config = tmp_path / ".config" / "duckstore" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[default]\nurl = "http://127.0.0.1:1"\n\n[main]\nurl = "{server.http_url}"\n'
                      f'api_key = "{server.admin_key}"\n')
    config.chmod(0o644)
    refused = cli.run("projects", "list", "--profile", "main", expect=1)
    assert "error invalid_config" in refused.stderr and "chmod 600" in refused.stderr
    config.chmod(0o600)
    cli.run("projects", "list", "--profile", "main")
    cli.run("projects", "list", env={"DUCKSTORE_PROFILE": "main"})
    assert "connection_failed" in cli.run("projects", "list", expect=1).stderr  # [default] points nowhere
    # Flags beat the environment, which beats the file.
    cli.run("projects", "list", env={"DUCKSTORE_URL": server.http_url, "DUCKSTORE_API_KEY": server.admin_key})
    assert "no profile [nope]" in cli.run("projects", "list", "--profile", "nope", expect=1).stderr


def test_login_stores_the_key_privately(server, tmp_path):
    cli = Cli(server, "", tmp_path)
    del cli.env["DUCKSTORE_API_KEY"]
    result = cli.run("login", "--url", server.http_url, "--as", "work", stdin=server.admin_key + "\n")
    assert server.admin_key not in result.stdout + result.stderr
    config = tmp_path / ".config" / "duckstore" / "config.toml"
    assert config.stat().st_mode & 0o777 == 0o600
    cli.run("projects", "list", "--profile", "work")


def test_completion_scripts(admin_cli, tmp_path):
    script = admin_cli.run("completion", "bash").stdout
    path = tmp_path / "duckstore.bash"
    path.write_text(script)
    probe = ('source {0}; COMP_WORDS=(duckstore tables ""); COMP_CWORD=2; _duckstore; echo "${{COMPREPLY[@]}}"; '
             'COMP_WORDS=(duckstore bu); COMP_CWORD=1; _duckstore; echo "${{COMPREPLY[@]}}"').format(path)
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()
    assert {"list", "create", "describe", "preview", "delete"} <= set(out[0].split())
    assert out[1].split() == ["buckets"]
    zsh = admin_cli.run("completion", "zsh").stdout
    assert zsh.startswith("#compdef duckstore") and '"tables") candidates=(' in zsh
    assert admin_cli.run("completion", "fish", expect=2).stderr


def test_progress_is_drawn_in_place_on_a_terminal(project_cli, tmp_path):
    cli, p = project_cli, ["-p", project_cli.project]
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(24 << 20))
    controller, child = pty.openpty()
    proc = subprocess.Popen([binary(), "files", "upload", str(big), *p], stdout=subprocess.PIPE, stderr=child,
                            stdin=subprocess.DEVNULL, env=cli.env)
    os.close(child)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    stdout, _ = proc.communicate(timeout=60)
    os.close(controller)
    assert proc.returncode == 0, seen.decode(errors="replace")
    text = seen.decode()
    assert "\r\x1b[K" in text  # redrawn in place
    assert "upload big.bin [" in text and "24.0 MiB" in text and "/s" in text
    assert "] 24.0 MiB / 24.0 MiB (100%)" in text
    assert b"big.bin" in stdout


def test_projects_jobs_files_and_status_subcommands(project_cli, admin_cli, tmp_path):
    """The subcommands the other tests do not reach: projects list/show, status, jobs show/wait/cancel, files
    download/delete, buckets delete, workspaces list."""
    cli, p = project_cli, ["-p", project_cli.project]
    assert project_cli.project in [row["id"] for row in admin_cli.json("projects", "list")]
    shown = cli.json("projects", "show", cli.project)
    assert shown["id"] == cli.project and shown["name"] == "CLI test" and shown["table_count"] == 0
    header, row = cli.run("status").stdout.splitlines()
    status = dict(zip(header.split(), row.split()))
    assert status["STATUS"] == "ok" and status["READY"] == "ready" and status["URL"].startswith("http://")

    cli.run("buckets", "create", "in.c-jobs", *p)
    cli.run("tables", "create", "in.c-jobs", "t", "-c", "id:INTEGER", "-c", "name", *p)
    source = tmp_path / "t.csv"
    source.write_text("id,name\n" + "".join(f"{i},n{i}\n" for i in range(10)))
    cli.run("import", "in.c-jobs", "t", str(source), *p)
    [job] = cli.json("jobs", "list", *p)
    assert cli.json("jobs", "show", job["id"], *p)["result"]["imported_rows"] == 10
    waited = cli.run("jobs", "wait", job["id"], *p)
    assert "succeeded" in waited.stderr and job["id"] in waited.stdout
    finished = cli.run("jobs", "cancel", job["id"], *p, expect=1)
    assert "error job_finished" in finished.stderr and "(HTTP 409)" in finished.stderr
    assert "error job_not_found" in cli.run("jobs", "show", "no-such-job", *p, expect=1).stderr

    [uploaded] = cli.json("files", "list", *p)
    out = tmp_path / "back.csv"
    cli.run("files", "download", uploaded["id"], str(out), *p)
    assert out.read_bytes() == source.read_bytes()
    cli.run("files", "delete", uploaded["id"], *p)
    assert cli.json("files", "list", *p) == []

    assert cli.json("workspaces", "list", *p) == []
    workspace = cli.json("workspaces", "create", *p)
    assert [w["id"] for w in cli.json("workspaces", "list", *p)] == [workspace["id"]]
    cli.run("workspaces", "delete", workspace["id"], *p)

    cli.run("tables", "delete", "in.c-jobs", "t", *p)
    cli.run("buckets", "delete", "in.c-jobs", *p)
    assert cli.json("buckets", "list", *p) == []


def test_query_prints_rows_in_every_format(project_cli, tmp_path):
    cli, p = project_cli, ["-p", project_cli.project]
    cli.run("buckets", "create", "in.c-q", *p)
    source = tmp_path / "people.csv"
    source.write_text("id,name\n1,ann\n2,bob\n3,cy\n")
    cli.run("tables", "create", "in.c-q", "people", "--from-csv", str(source), *p)
    cli.run("import", "in.c-q", "people", str(source), *p)
    select = "SELECT id, name FROM people WHERE id <> '2' ORDER BY id"

    assert cli.run("query", "--bucket", "in.c-q", select, *p, "-o", "csv").stdout == "id,name\n1,ann\n3,cy\n"
    table = cli.run("query", "--bucket", "in.c-q", select, *p).stdout.splitlines()
    assert [line.split() for line in table] == [["ID", "NAME"], ["1", "ann"], ["3", "cy"]]
    # NULL is null in JSON (the driver leaves the field out); the SQL may come from stdin.
    assert cli.json("query", "--bucket", "in.c-q", "SELECT NULL AS missing, count(*) AS n FROM people", *p) == {
        "columns": ["missing", "n"], "rows": [{"missing": None, "n": "3"}]}
    piped = cli.run("query", "--bucket", "in.c-q", "-", *p, "-o", "csv", stdin="SELECT max(name) AS top FROM people")
    assert piped.stdout == "top\ncy\n"
    # A statement that writes, then reads what it wrote.
    cli.run("query", "--bucket", "in.c-q", "INSERT INTO people VALUES ('4', 'dee')", *p)
    assert cli.run("query", "--bucket", "in.c-q", "SELECT name FROM people WHERE id = '4'", *p,
                   "-o", "csv").stdout == "name\ndee\n"

    # On a dev branch (-b): the branch sees the default branch's rows, and its writes stay on the branch.
    branch = cli.json("branches", "create", "q-dev", *p)["id"]
    on_branch = [*p, "-b", branch]
    cli.run("query", "--bucket", "in.c-q", "DELETE FROM people WHERE id = '1'", *on_branch)
    assert cli.run("query", "--bucket", "in.c-q", "SELECT count(*) AS n FROM people", *on_branch,
                   "-o", "csv").stdout == "n\n3\n"
    assert cli.run("query", "--bucket", "in.c-q", "SELECT count(*) AS n FROM people", *p,
                   "-o", "csv").stdout == "n\n4\n"
    cli.run("branches", "delete", branch, *p)

    failed = cli.run("query", "--bucket", "in.c-q", "SELECT * FROM no_such_table", *p, expect=1)
    assert "query_failed" in failed.stderr and "no_such_table" in failed.stderr and failed.stdout == ""
    missing = cli.run("query", "--bucket", "in.c-missing", "SELECT 1", *p, expect=1)
    assert "bucket_not_found" in missing.stderr
    cli.run("query", "SELECT 1", *p, expect=2)  # --bucket is required


def test_history_versions_preview_restore_undrop_retention(project_cli, tmp_path):
    cli, p = project_cli, ["-p", project_cli.project]
    cli.run("buckets", "create", "in.c-h", *p)
    cli.run("tables", "create", "in.c-h", "kv", "-c", "id:INTEGER", "-c", "v", "--primary-key", "id", *p)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("id,v\n1,a\n2,b\n")
    second.write_text("id,v\n1,x\n")
    cli.run("import", "in.c-h", "kv", str(first), *p)
    cli.run("import", "in.c-h", "kv", str(second), *p)

    def rows(*args):
        return sorted(tuple(r.values()) for r in csv.DictReader(io.StringIO(cli.run(*args, *p, "-o", "csv").stdout)))

    versions = cli.json("history", "versions", "in.c-h", "kv", *p)
    assert len(versions) >= 2 and versions[-1]["version"] > versions[-2]["version"]
    then = versions[-2]["committed_at"]
    listed = cli.run("history", "versions", "in.c-h", "kv", *p).stdout.splitlines()
    assert listed[0].split()[:3] == ["VERSION", "COMMITTED_AT", "OPERATION"] and len(listed) == len(versions) + 1
    assert rows("history", "preview", "in.c-h", "kv", "--at", then) == [("1", "a"), ("2", "b")]
    assert rows("tables", "preview", "in.c-h", "kv") == [("1", "x")]

    copy = cli.json("history", "restore", "in.c-h", "kv", "--at", then, "--to-table", "kv_then", *p)
    assert (copy["name"], copy["row_count"], copy["primary_key"]) == ("kv_then", 2, ["id"])
    assert rows("tables", "preview", "in.c-h", "kv_then") == [("1", "a"), ("2", "b")]
    cli.run("history", "restore", "in.c-h", "kv", "--at", then, *p)
    assert rows("tables", "preview", "in.c-h", "kv") == [("1", "a"), ("2", "b")]

    cli.run("tables", "delete", "in.c-h", "kv", *p)
    dropped = cli.json("history", "dropped", *p)
    assert [(t["bucket"], t["name"]) for t in dropped] == [("in.c-h", "kv")]
    undropped = cli.json("history", "undrop", "in.c-h", "kv", *p)
    assert (undropped["name"], undropped["row_count"]) == ("kv", 2)
    assert rows("tables", "preview", "in.c-h", "kv") == [("1", "a"), ("2", "b")]
    assert cli.json("history", "dropped", *p) == []
    gone = cli.run("history", "undrop", "in.c-h", "kv", *p, expect=1)
    assert "table_not_found" in gone.stderr

    assert cli.json("history", "retention", *p) == {"dataRetentionTimeInDays": 7}
    assert cli.json("history", "retention", "--set", "3", *p) == {"dataRetentionTimeInDays": 3}
    assert cli.run("history", "retention", *p).stdout.split() == ["DATARETENTIONTIMEINDAYS", "3"]
    bad = cli.run("history", "preview", "in.c-h", "kv", "--at", "yesterday", *p, expect=1)
    assert "invalid_timestamp" in bad.stderr
