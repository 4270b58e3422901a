#include <gtest/gtest.h>

#include "duckstore/common/error.hpp"
#include "duckstore/services/query/query.hpp"

namespace duckstore {
namespace {

constexpr const char* kScope = "in.c-sales";

void ExpectAllowed(const std::string& sql) {
  EXPECT_NO_THROW(CheckQueryScope(sql, kScope)) << sql;
}

void ExpectOutOfScope(const std::string& sql) {
  try {
    CheckQueryScope(sql, kScope);
    ADD_FAILURE() << "allowed: " << sql;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "query_out_of_scope") << sql;
    EXPECT_EQ(e.kind(), ErrorKind::kPermissionDenied) << sql;
  }
}

TEST(QueryScope, AllowsStatementsWithinTheScope) {
  ExpectAllowed("SELECT * FROM orders");
  ExpectAllowed("SELECT o.id FROM \"in.c-sales\".orders o JOIN customers c ON o.c = c.id");
  ExpectAllowed("SELECT * FROM \"IN.C-SALES\".orders");  // DuckDB names are case-insensitive
  ExpectAllowed("WITH t AS (SELECT 1 AS x) SELECT * FROM t");
  ExpectAllowed("SELECT * FROM range(10)");
  ExpectAllowed("INSERT INTO orders SELECT * FROM staging");
  ExpectAllowed("UPDATE orders SET x = (SELECT max(x) FROM other) WHERE id IN (SELECT id FROM other)");
  ExpectAllowed("DELETE FROM orders USING other WHERE orders.id = other.id");
  ExpectAllowed("CREATE TABLE copy AS SELECT * FROM orders");
  ExpectAllowed("CREATE OR REPLACE VIEW v AS SELECT * FROM orders");
  ExpectAllowed("DROP TABLE IF EXISTS copy");
  ExpectAllowed("ALTER TABLE orders ADD COLUMN y INTEGER");
  ExpectAllowed("SELECT \"in.c-sales\".my_macro(1), upper('x')");
  // Syntax the parser turns into built-ins of "main" (list and struct literals), and "main" written out.
  ExpectAllowed("SELECT ['open', 'paid'][1 + id % 2], {'a': 1} FROM orders");
  ExpectAllowed("SELECT main.abs(-1)");
}

TEST(QueryScope, RejectsCallsQualifiedWithAnotherSchema) {
  // A macro of another bucket would read that bucket's tables.
  ExpectOutOfScope("SELECT \"in.c-other\".my_macro(1)");
  ExpectOutOfScope("SELECT * FROM orders WHERE id = project.\"in.c-sales\".my_macro(1)");
  ExpectOutOfScope("SELECT (SELECT other.f(x) FROM orders)");
}

TEST(QueryScope, RejectsNamesOutsideTheScopeAtAnyDepth) {
  ExpectOutOfScope("SELECT * FROM _duckstore.tables");
  ExpectOutOfScope("SELECT * FROM orders JOIN \"out.c-x\".t ON true");
  ExpectOutOfScope("SELECT * FROM orders WHERE id IN (SELECT id FROM _duckstore.tables)");
  ExpectOutOfScope("SELECT (SELECT count(*) FROM other_schema.t)");
  ExpectOutOfScope("SELECT * FROM (SELECT * FROM _duckstore.buckets) s");
  ExpectOutOfScope("WITH x AS (SELECT * FROM _duckstore.buckets) SELECT * FROM x");
  ExpectOutOfScope("SELECT * FROM orders UNION ALL SELECT * FROM other_schema.t");
  ExpectOutOfScope("SELECT * FROM project.\"in.c-sales\".orders");
  ExpectOutOfScope("INSERT INTO _duckstore.tables VALUES (1)");
  ExpectOutOfScope("INSERT INTO orders SELECT * FROM _duckstore.tables");
  ExpectOutOfScope("UPDATE _duckstore.tables SET primary_key = NULL");
  ExpectOutOfScope("DELETE FROM _duckstore.tables");
  ExpectOutOfScope("CREATE TABLE _duckstore.x (a INT)");
  ExpectOutOfScope("CREATE VIEW v AS SELECT * FROM _duckstore.tables");
  ExpectOutOfScope("DROP TABLE other_schema.t");
  ExpectOutOfScope("ALTER TABLE other_schema.t ADD COLUMN y INT");
  ExpectOutOfScope("SELECT * FROM query_table('_duckstore.tables')");
  ExpectOutOfScope("SELECT * FROM query('SELECT * FROM _duckstore.tables')");
}

TEST(QueryScope, RejectsOtherStatementKinds) {
  for (const char* sql : {"ATTACH ':memory:' AS m", "SET search_path = '_duckstore'", "PRAGMA version",
                          "CREATE SCHEMA s", "CREATE SEQUENCE s", "COPY orders TO 'x.csv'", "CHECKPOINT",
                          "BEGIN TRANSACTION", "LOAD json", "DETACH m", "USE memory"}) {
    ExpectOutOfScope(sql);
  }
}

TEST(QueryScope, NeedsParsableStatements) {
  for (const char* sql : {"SELEC 1", "", ";", "-- nothing"}) {
    try {
      CheckQueryScope(sql, kScope);
      ADD_FAILURE() << "allowed: " << sql;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_query") << sql;
    }
  }
}

TEST(QueryScope, ChecksEveryStatementOfAScript) {
  ExpectAllowed("CREATE TABLE t (a INT); INSERT INTO t VALUES (1); SELECT * FROM t");
  ExpectOutOfScope("SELECT 1; SELECT * FROM _duckstore.tables");
  ExpectOutOfScope("INSERT INTO orders VALUES (1); DROP TABLE other_schema.t");
  ExpectOutOfScope("SELECT 1; BEGIN TRANSACTION");
  ExpectOutOfScope("SELECT 1; COMMIT");
}

}  // namespace
}  // namespace duckstore
