"""Support for the PostgreSQL wire suites: a workspace with a loaded table and its login, as connection
parameters for psql, psycopg2, psycopg 3 and pgjdbc."""

from __future__ import annotations

from dataclasses import dataclass, field

BUCKET = "in.c-pg"


@dataclass
class Login:
    host: str
    port: int
    user: str
    password: str
    database: str
    cert: str  # the server's self-signed certificate (its own CA)
    # Connections a test opened; closed before its project is deleted (an open session keeps the project's
    # database in use, and psycopg2's `with connect()` only ends a transaction).
    opened: list = field(default_factory=list)

    def track(self, conn):
        self.opened.append(conn)
        return conn

    def close_all(self):
        for conn in self.opened:
            conn.close()

    def kwargs(self, **extra) -> dict:
        return {"host": self.host, "port": self.port, "user": self.user, "password": self.password,
                "dbname": self.database, "connect_timeout": 10, **extra}

    def dsn(self, **extra) -> str:
        return " ".join(f"{k}={v}" for k, v in self.kwargs(**extra).items())


def make_workspace(project, workspace_id: str = "ws1", branch: str = "default") -> Login:
    """A workspace on `branch` with table `t` (id, name) of 5 rows copied from storage."""
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "t", [{"name": "id", "type": "int"}, {"name": "name", "type": "varchar"}])
    project.insert(BUCKET, "t", [{"id": i, "name": f"n{i}"} for i in range(1, 6)])
    base = f"{project.path}/branches/{branch}/workspaces"
    ws = project.client.call("POST", base, 201, json={"id": workspace_id})
    project.client.call("POST", f"{base}/{workspace_id}/load", 200,
                        json={"source": {"bucket": BUCKET, "table": "t"}, "destination": "t"})
    server = project.server
    return Login(server.pg_host, server.pg_port, ws["credentials"]["user"], ws["credentials"]["password"],
                 workspace_id, str(server.data_dir / "secrets" / "pg-server.crt"))
