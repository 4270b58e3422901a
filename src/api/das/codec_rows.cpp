#include "duckstore/api/das/codec_rows.hpp"

#include "duckstore/api/das/codec_to_das.hpp"

namespace duckstore::das {
namespace {

using duckdb::LogicalTypeId;

// Fast paths for flat vectors of the common fixed-size types; everything else goes through Value.
template <typename T, typename Set>
void FillColumn(duckdb::Vector& vector, size_t chunk_size, size_t begin, size_t count, pb_tables::Rows* rows,
                int first, size_t col, Set set) {
  duckdb::UnifiedVectorFormat format;
  vector.ToUnifiedFormat(chunk_size, format);
  auto data = duckdb::UnifiedVectorFormat::GetData<T>(format);
  for (size_t i = 0; i < count; ++i) {
    auto idx = format.sel->get_index(begin + i);
    auto* value = rows->mutable_rows(first + static_cast<int>(i))
                      ->mutable_columns(static_cast<int>(col))
                      ->mutable_data();
    if (!format.validity.RowIsValid(idx)) {
      value->mutable_null();
    } else {
      set(data[idx], value);
    }
  }
}

}  // namespace

size_t AppendRows(const std::vector<std::string>& columns, duckdb::DataChunk& chunk, size_t begin, size_t end,
                  pb_tables::Rows* rows) {
  size_t count = end - begin;
  int first = rows->rows_size();
  for (size_t i = 0; i < count; ++i) {
    auto* row = rows->add_rows();
    for (const auto& name : columns) row->add_columns()->set_name(name);
  }
  for (size_t col = 0; col < columns.size(); ++col) {
    auto& vector = chunk.data[col];
    switch (vector.GetType().id()) {
      case LogicalTypeId::INTEGER:
        FillColumn<int32_t>(vector, chunk.size(), begin, count, rows, first, col,
                            [](int32_t v, pb_types::Value* out) { out->mutable_int_()->set_v(v); });
        break;
      case LogicalTypeId::BIGINT:
        FillColumn<int64_t>(vector, chunk.size(), begin, count, rows, first, col,
                            [](int64_t v, pb_types::Value* out) { out->mutable_long_()->set_v(v); });
        break;
      case LogicalTypeId::DOUBLE:
        FillColumn<double>(vector, chunk.size(), begin, count, rows, first, col,
                           [](double v, pb_types::Value* out) { out->mutable_double_()->set_v(v); });
        break;
      case LogicalTypeId::BOOLEAN:
        FillColumn<bool>(vector, chunk.size(), begin, count, rows, first, col,
                         [](bool v, pb_types::Value* out) { out->mutable_bool_()->set_v(v); });
        break;
      case LogicalTypeId::DATE:
        FillColumn<duckdb::date_t>(
            vector, chunk.size(), begin, count, rows, first, col,
            [](duckdb::date_t v, pb_types::Value* out) { SetDate(v, out->mutable_date()); });
        break;
      case LogicalTypeId::TIMESTAMP:
      case LogicalTypeId::TIMESTAMP_TZ:
        FillColumn<duckdb::timestamp_t>(
            vector, chunk.size(), begin, count, rows, first, col,
            [](duckdb::timestamp_t v, pb_types::Value* out) { SetTimestamp(v, 0, out); });
        break;
      case LogicalTypeId::VARCHAR:
        if (!vector.GetType().IsJSONType()) {
          FillColumn<duckdb::string_t>(vector, chunk.size(), begin, count, rows, first, col,
                                       [](duckdb::string_t v, pb_types::Value* out) {
                                         out->mutable_string()->set_v(v.GetData(), v.GetSize());
                                       });
          break;
        }
        [[fallthrough]];
      default:
        for (size_t i = 0; i < count; ++i) {
          ToDasValue(vector.GetValue(begin + i), rows->mutable_rows(first + static_cast<int>(i))
                                                     ->mutable_columns(static_cast<int>(col))
                                                     ->mutable_data());
        }
    }
  }
  size_t bytes = 0;
  for (int i = first; i < rows->rows_size(); ++i) {
    size_t row_size = rows->rows(i).ByteSizeLong();
    // A repeated message field costs its tag and length prefix.
    bytes += row_size + 1 + (row_size < 128 ? 1 : row_size < 16384 ? 2 : 3);
  }
  return bytes;
}

}  // namespace duckstore::das
