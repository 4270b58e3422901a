"""The PostgreSQL wire door with pgjdbc (Debian's libpostgresql-jdbc-java): a small Java program, compiled
and run by the test, uses prepared statements, fetch size, batches, types and CopyManager (java/PgWireCheck.java)."""

import subprocess
from pathlib import Path

from pg_support import make_workspace

JAR = Path("/usr/share/java/postgresql.jar")
SOURCE = Path(__file__).parent / "java" / "PgWireCheck.java"


def test_pgjdbc(project, tmp_path):
    login = make_workspace(project)
    subprocess.run(["javac", "-cp", str(JAR), "-d", str(tmp_path), str(SOURCE)], check=True, timeout=300)
    url = f"jdbc:postgresql://{login.host}:{login.port}/{login.database}?sslmode=require"
    out = subprocess.run(["java", "-cp", f"{tmp_path}:{JAR}", "PgWireCheck", url, login.user, login.password],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "OK", out.stdout + out.stderr
