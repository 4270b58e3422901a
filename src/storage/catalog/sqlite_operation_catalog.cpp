// OperationCatalog on SQLite: table operations (its id is the row id, assigned on insert).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

Operation ReadOperation(RowReader& row) {
  return Operation{row.Int(),  row.Text(), row.Text(), row.Text(), row.Text(),
                   row.Text(), row.Json(), row.Int(),  row.Text()};
}

constexpr RowMapping<Operation> kOperations{
    {"operations", "id, at, request_id, project_id, operation, resource, details, duration_ms, status"},
    ReadOperation};
// The columns written: all but the id.
constexpr SqliteTable kNewOperations{
    "operations", "at, request_id, project_id, operation, resource, details, duration_ms, status"};

}  // namespace

void SqliteOperationCatalog::AppendOperation(const Operation& op) {
  db_.Insert(kNewOperations, op.at, op.request_id, op.project_id, op.operation, op.resource, op.details,
             op.duration_ms, op.status);
}

Page<Operation> SqliteOperationCatalog::ListOperations(const std::string& project_id,
                                                       const PageRequest& page) {
  return db_.PageOf(kOperations, "project_id = ?", "ORDER BY id DESC", page, project_id);
}

}  // namespace duckstore
