#include "duckstore/storage/engine/typed_rows.hpp"

namespace duckstore {

TypedRows ReadTypedRows(duckdb::MaterializedQueryResult& result) {
  TypedRows out;
  out.columns = result.names;
  out.rows.reserve(result.RowCount());
  for (size_t row = 0; row < result.RowCount(); ++row) {
    std::vector<duckdb::Value> values;
    values.reserve(result.ColumnCount());
    for (size_t col = 0; col < result.ColumnCount(); ++col) values.push_back(result.GetValue(col, row));
    out.rows.push_back(std::move(values));
  }
  return out;
}

}  // namespace duckstore
