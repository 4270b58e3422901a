// The SQLite catalog's schema, as an ordered list of migrations. A migration is never edited once
// released; a schema change is a new entry at the end. Applied versions are recorded in schema_migrations.
#pragma once

#include <span>

namespace duckstore {

class SqliteDb;

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

std::span<const Migration> SqliteMigrations();

// Applies every migration `db` has not recorded yet, each in its own transaction; the caller holds the
// connection (no other statement runs on it meanwhile).
void ApplySqliteMigrations(SqliteDb& db);

}  // namespace duckstore
