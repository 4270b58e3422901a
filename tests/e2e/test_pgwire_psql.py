"""The PostgreSQL wire door with psql: queries, TLS (sslmode=require, verify-full against the generated
certificate), a wrong password, and the catalog queries of its meta commands."""

import os
import subprocess


def psql(login, *args, sslmode="prefer", password=None, host=None, extra_env=None):
    env = {**os.environ, "PGPASSWORD": password or login.password, "PGSSLMODE": sslmode,
           "PGCONNECT_TIMEOUT": "10", **(extra_env or {})}
    cmd = ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host or login.host, "-p", str(login.port),
           "-U", login.user, "-d", login.database, *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


def test_query(login):
    out = psql(login, "-c", "SELECT id, name FROM t WHERE id <= 2 ORDER BY id")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["1|n1", "2|n2"]


def test_script_with_transaction(login):
    script = "BEGIN; CREATE TABLE s (x INTEGER); INSERT INTO s VALUES (1), (2); COMMIT; SELECT sum(x) FROM s;"
    out = psql(login, "-c", script)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "3"


def test_sslmode_require_and_verify_full(login):
    out = psql(login, "-c", "SELECT 1", sslmode="require")
    assert out.returncode == 0 and out.stdout.strip() == "1", out.stderr
    out = psql(login, "-c", "SELECT 1", sslmode="verify-full", host="localhost",
               extra_env={"PGSSLROOTCERT": login.cert})
    assert out.returncode == 0 and out.stdout.strip() == "1", out.stderr
    # verify-full against the wrong CA fails.
    out = psql(login, "-c", "SELECT 1", sslmode="verify-full", host="localhost",
               extra_env={"PGSSLROOTCERT": "/etc/ssl/certs/ca-certificates.crt"})
    assert out.returncode != 0


def test_wrong_password(login):
    out = psql(login, "-c", "SELECT 1", password="not-it")
    assert out.returncode != 0
    assert f'password authentication failed for user "{login.user}"' in out.stderr


def test_error_is_reported(login):
    out = psql(login, "-c", "SELECT * FROM nope")
    assert out.returncode != 0
    assert "nope" in out.stderr
