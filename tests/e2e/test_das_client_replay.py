"""Replays the RPC sequences the real DAS client (multicorn-das on PostgreSQL) makes, in the observed order
(das-contract.md, "RPC order"): IMPORT FOREIGN SCHEMA, SELECT with quals/limit and with ORDER BY, a nested
loop join over path keys, INSERT/UPDATE/DELETE, and re-registration after a lost registration and after a
server restart. Each statement's result is asserted as PostgreSQL would return it."""

import grpc

from das_support import Das, Op, environment_pb2, is_all, key_metadata, query_pb2, row_dict, simple, sort_key, ts
from harness import Project

BUCKET = "in.c-crm"


class ForeignServer:
    """What one PostgreSQL backend holds for a foreign server: its options and the imported tables, each with
    the das_id stored in the foreign table's options. Every call goes through `_call`, which re-registers
    once on NOT_FOUND with the stored id and the merged options, then retries (as multicorn-das does)."""

    def __init__(self, server, backend_options: dict):
        self.server_options = {"das_url": server.grpc_address, "das_type": "duckdb", **backend_options}
        self.das = Das(server)
        self.tables: dict[str, dict] = {}
        self.plans = 0
        self.registrations = 0

    def _register(self, options: dict, das_id: str | None = None) -> str:
        self.registrations += 1
        return self.das.register(options, das_id=das_id)

    def _call(self, table: str, fn):
        try:
            return fn()
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND:
                raise
        options = {**self.server_options, **self.tables[table]["options"]}
        self._register(options, das_id=options["das_id"])
        return fn()

    # IMPORT FOREIGN SCHEMA: Register -> GetTableDefinitions.
    def import_foreign_schema(self):
        das_id = self._register(self.server_options)
        definitions = self.das.definitions()
        for name, definition in definitions.items():
            self.tables[name] = {
                "columns": [c.name for c in definition.columns],
                "options": {"das_id": das_id, "das_table_name": name,
                            "das_startup_cost": str(definition.startup_cost)},
            }
        return sorted(definitions)

    def _plan(self, table: str, quals, columns):
        das_id = self.tables[table]["options"]["das_id"]
        self.das.id = das_id
        estimate = self._call(table, lambda: self.das.estimate(table, quals=quals, columns=columns))
        path_keys = self._call(table, lambda: self.das.path_keys(table))
        self.plans += 1
        return estimate, path_keys, f"4242-{self.plans}"

    def _execute(self, table: str, plan_id: str, columns, quals=(), sort_keys=(), limit=None):
        query = query_pb2.Query(columns=list(columns), quals=list(quals), sort_keys=list(sort_keys))
        if limit is not None:
            query.limit = limit
        request = ts.ExecuteTableRequest(das_id=self.das.das_id, table_id=self.das.tid(table), query=query,
                                         plan_id=plan_id, max_batch_size_bytes=4194304,
                                         env=environment_pb2.Environment())
        return [row_dict(r) for batch in self.das.tables.ExecuteTable(request, timeout=60) for r in batch.rows]

    # SELECT: GetTableEstimate -> GetTablePathKeys [-> GetTableSortOrders] -> ExecuteTable.
    def select(self, table: str, columns, quals=(), limit=None, order_by=()):
        self._plan(table, quals, columns)
        sort_keys = []
        if order_by:
            sort_keys = self._call(table, lambda: self.das.sort_orders(table, order_by))
        plan_id = f"4242-{self.plans}"
        rows = self._execute(table, plan_id, columns, quals, sort_keys, limit)
        # PostgreSQL rechecks every qual and applies LIMIT / ORDER BY itself when not pushed.
        return rows, sort_keys

    # INSERT: GetTableUniqueColumn -> GetBulkInsertTableSize -> InsertTable per row / BulkInsertTable per batch.
    def insert(self, table: str, rows: list[dict]):
        self._call(table, lambda: self.das.unique_column(table))
        size = self._call(table, lambda: self.das.bulk_size(table))
        # Every column of the foreign table is sent; columns left out of the INSERT are explicit NULLs.
        full = [{c: r.get(c) for c in self.tables[table]["columns"]} for r in rows]
        if size <= 1:
            return [self.das.insert(table, r) for r in full]
        returned = []
        for start in range(0, len(full), size):
            batch = full[start:start + size]
            answer = self.das.bulk_insert(table, batch)
            assert len(answer) in (0, len(batch)), "Returned list size does not match number of inserted values"
            returned.extend(answer)
        return returned

    def _modify_scan(self, table: str, quals, columns):
        unique = self._call(table, lambda: self.das.unique_column(table))
        self._plan(table, quals, columns)
        assert self.das.unique_column(table) == unique
        return unique, self._execute(table, f"4242-{self.plans}", columns, quals)

    # UPDATE: UniqueColumn -> Estimate -> PathKeys -> UniqueColumn -> ExecuteTable(all) -> UpdateTable per row.
    def update(self, table: str, quals, changes: dict):
        unique, rows = self._modify_scan(table, quals, self.tables[table]["columns"])
        for row in rows:
            self.das.update(table, row[unique], {**row, **changes})
        return len(rows)

    # DELETE: UniqueColumn -> Estimate -> PathKeys -> UniqueColumn -> ExecuteTable(unique) -> DeleteTable per row.
    def delete(self, table: str, quals):
        unique = self.das.unique_column(table)
        unique, rows = self._modify_scan(table, quals, [unique])
        for row in rows:
            self.das.delete(table, row[unique])
        return len(rows)


def make_crm(project):
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "customers", [{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "VARCHAR"},
                                              {"name": "country", "type": "VARCHAR"}], primary_key=["id"])
    project.create_table(BUCKET, "orders", [{"name": "order_id", "type": "BIGINT"},
                                           {"name": "customer_id", "type": "INTEGER"},
                                           {"name": "total", "type": "DECIMAL(10,2)"}], primary_key=["order_id"])
    project.insert(BUCKET, "customers", [{"id": 1, "name": "Acme", "country": "CZ"},
                                         {"id": 2, "name": "Bolt", "country": "DE"},
                                         {"id": 3, "name": "Core", "country": "CZ"}])
    project.insert(BUCKET, "orders", [{"order_id": 10, "customer_id": 1, "total": "5.00"},
                                      {"order_id": 11, "customer_id": 1, "total": "7.50"},
                                      {"order_id": 12, "customer_id": 3, "total": "1.25"}])


def test_import_select_join_and_writes(server, project):
    make_crm(project)
    pg = ForeignServer(server, {"project_id": project.id, "api_key": project.key, "das_name": "crm"})
    assert pg.import_foreign_schema() == ["in_c_crm__customers", "in_c_crm__orders"]
    customers, orders = "in_c_crm__customers", "in_c_crm__orders"

    # SELECT name FROM customers WHERE country = 'CZ' LIMIT 1  (all quals pushed: the limit is sent)
    rows, _ = pg.select(customers, ["name", "country"], [simple("country", Op.EQUALS, "CZ")], limit=1)
    assert len(rows) == 1 and rows[0]["country"] == "CZ"
    # SELECT id FROM customers WHERE id IN (1, 3)  (sent as is_all by the client)
    rows, _ = pg.select(customers, ["id"], [is_all("id", Op.EQUALS, [1, 3])])
    assert sorted(r["id"] for r in rows) == [1, 3]
    # SELECT * FROM orders ORDER BY total DESC, order_id
    rows, keys = pg.select(orders, ["order_id", "total"], order_by=[sort_key("total", 3, desc=True),
                                                                     sort_key("order_id", 1)])
    assert [k.name for k in keys] == ["total", "order_id"]
    assert [r["order_id"] for r in rows] == [11, 10, 12]

    # SELECT c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id: the path key on
    # customers(id) makes PostgreSQL run a parameterized scan of customers per outer row, same plan_id.
    pg._plan(orders, [], ["customer_id", "total"])
    outer = pg._execute(orders, f"4242-{pg.plans}", ["customer_id", "total"])
    _, path_keys, plan_id = pg._plan(customers, [], ["id", "name"])
    assert [list(k.key_columns) for k in path_keys] == [["id"]]
    joined = []
    for o in outer:
        for c in pg._execute(customers, plan_id, ["id", "name"], [simple("id", Op.EQUALS, o["customer_id"])]):
            joined.append((c["name"], str(o["total"])))
    assert sorted(joined) == [("Acme", "5.00"), ("Acme", "7.50"), ("Core", "1.25")]

    # INSERT INTO customers (id, name) VALUES (4, 'Dash'), (5, 'Echo')
    returned = pg.insert(customers, [{"id": 4, "name": "Dash"}, {"id": 5, "name": "Echo"}])
    assert [r["id"] for r in returned] == [4, 5] and returned[0]["country"] is None
    # UPDATE customers SET country = 'AT' WHERE name LIKE '%o%'  (Bolt, Core, Echo)
    assert pg.update(customers, [simple("name", Op.LIKE, "%o%")], {"country": "AT"}) == 3
    # DELETE FROM customers WHERE id >= 4
    assert pg.delete(customers, [simple("id", Op.GREATER_THAN_OR_EQUAL, 4)]) == 2
    rows, _ = pg.select(customers, ["id", "name", "country"])
    assert sorted((r["id"], r["name"], r["country"]) for r in rows) == [
        (1, "Acme", "CZ"), (2, "Bolt", "AT"), (3, "Core", "AT")]
    assert pg.registrations == 1


def test_lost_registration_and_server_restart(fresh_server):
    project = Project(fresh_server)
    make_crm(project)
    pg = ForeignServer(fresh_server, {"project_id": project.id, "api_key": project.key})
    pg.import_foreign_schema()
    customers = "in_c_crm__customers"
    das_id = pg.tables[customers]["options"]["das_id"]

    # The registration is lost (unregistered): the first planning RPC gets NOT_FOUND, the client
    # re-registers under its stored id with the table + server options, and the statement succeeds.
    pg.das.registration.Unregister(pg.das.das_id, metadata=key_metadata(project.key))
    rows, _ = pg.select(customers, ["id"], [simple("id", Op.LESS_THAN, 3)])
    assert sorted(r["id"] for r in rows) == [1, 2]
    assert pg.registrations == 2 and pg.das.id == das_id

    # After a restart the registration is still there (persisted): the client's foreign tables keep working,
    # and a client that re-registers anyway with its id and options gets the same id back.
    fresh_server.restart()
    pg2 = ForeignServer(fresh_server, {"project_id": project.id, "api_key": project.key})
    pg2.tables = pg.tables
    rows, _ = pg2.select(customers, ["id", "name"], [simple("name", Op.EQUALS, "Core")])
    assert rows == [{"id": 3, "name": "Core"}]
    assert pg2.registrations == 0
    options = {**pg2.server_options, **pg.tables[customers]["options"]}
    assert pg2.das.register(options, das_id=das_id) == das_id
    project.delete()
