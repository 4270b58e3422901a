#include "duckstore/api/driver/support.hpp"

#include "duckstore/api/driver/object_names.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::driver {

std::string SingleBucket(const google::protobuf::RepeatedPtrField<std::string>& path,
                         const std::string& field) {
  if (path.size() != 1 || path[0].empty())
    throw InvalidArgument("invalid_request", field + " is required and size must equal 1");
  return path[0];
}

BucketRef BucketNamed(const CommandContext& context, const std::string& object_name,
                      const std::string& field) {
  BucketName name = ParseBucketObjectName(Require(object_name, field), field);
  return BucketRef{context.BranchNamed(name.branch_id), std::move(name.bucket)};
}

BucketRef BucketAt(const CommandContext& context, const google::protobuf::RepeatedPtrField<std::string>& path,
                   const std::string& field) {
  return BucketNamed(context, SingleBucket(path, field), field);
}

BucketRef RefBucketOf(const google::protobuf::RepeatedPtrField<std::string>& path,
                      const CommandContext& context, const std::string& field) {
  if (path.size() == 2 && path[0] == context.project_id) return BucketNamed(context, path[1], field);
  return BucketAt(context, path, field);
}

TableRef TableAt(const CommandContext& context, const google::protobuf::RepeatedPtrField<std::string>& path,
                 const std::string& table, const std::string& command) {
  BucketRef bucket = BucketAt(context, path, command + ".path");
  return TableRef{std::move(bucket.branch), std::move(bucket.bucket), Require(table, command + ".tableName")};
}

void RequireSameBranch(const BranchRef& branch, const BranchRef& other, const std::string& field) {
  if (other.branch_id != branch.branch_id) {
    throw InvalidArgument("cross_branch_reference",
                          field + " names a bucket of branch '" + other.branch_id +
                              "', but the command works on branch '" + branch.branch_id + "'",
                          {{"branch", branch.branch_id}, {"referenced_branch", other.branch_id}});
  }
}

std::string ObjectNameOf(const BranchRef& branch, const std::string& bucket) {
  return BucketObjectName(branch.branch_id, bucket);
}

std::string Require(const std::string& value, const std::string& field) {
  if (value.empty()) throw InvalidArgument("invalid_request", field + " is required");
  return value;
}

ColumnDefinition ColumnOf(const table::TableColumnShared& column) {
  ColumnDefinition out;
  out.name = column.name();
  out.type = column.length().empty() ? column.type() : column.type() + "(" + column.length() + ")";
  out.nullable = column.nullable();
  if (!column.default_().empty()) out.default_value = column.default_();
  return out;
}

info::TableInfo::TableColumn ColumnInfoOf(const ColumnInfo& column) {
  info::TableInfo::TableColumn out;
  out.set_name(column.name);
  // Numeric parameters of a type become the length (DECIMAL(12,2)); nested types (STRUCT(...)) stay whole.
  auto open = column.type.find('(');
  bool parameterized = open != std::string::npos && column.type.back() == ')' &&
                       column.type.find_first_not_of("0123456789, ", open + 1) == column.type.size() - 1;
  if (parameterized) {
    out.set_type(column.type.substr(0, open));
    out.set_length(column.type.substr(open + 1, column.type.size() - open - 2));
  } else {
    out.set_type(column.type);
  }
  out.set_nullable(column.nullable);
  if (column.default_value) out.set_default_(*column.default_value);
  return out;
}

info::TableInfo TableInfoOf(const TableInfo& table, const BranchRef& branch) {
  info::TableInfo out;
  out.add_path(ObjectNameOf(branch, table.bucket));
  out.set_tablename(table.name);
  for (const auto& column : table.columns) *out.add_columns() = ColumnInfoOf(column);
  for (const auto& key : table.primary_key) out.add_primarykeysnames(key);
  out.set_rowscount(table.row_count);
  out.set_sizebytes(table.size_bytes);
  out.set_tabletype(info::NORMAL);
  return out;
}

info::ObjectInfoResponse TableResponse(const TableInfo& table, const BranchRef& branch) {
  info::ObjectInfoResponse out;
  out.add_path(ObjectNameOf(branch, table.bucket));
  out.set_objecttype(info::TABLE);
  *out.mutable_tableinfo() = TableInfoOf(table, branch);
  return out;
}

namespace {

std::optional<int64_t> UnixSeconds(const std::string& text, const char* field) {
  if (text.empty()) return std::nullopt;
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size()) {
    throw InvalidArgument("invalid_filter",
                          std::string(field) + " must be numeric unix seconds, got '" + text + "'");
  }
  return value;
}

}  // namespace

std::string DuckTypeOf(table::ImportExportShared::DataType type) {
  switch (type) {
    case table::ImportExportShared::INTEGER:
    case table::ImportExportShared::BIGINT:
      return "BIGINT";
    case table::ImportExportShared::DOUBLE:
    case table::ImportExportShared::REAL:
    case table::ImportExportShared::DECIMAL:
      return "DOUBLE";
    case table::ImportExportShared::TIMESTAMP:
      return "TIMESTAMP";
    default:
      return "VARCHAR";
  }
}

std::vector<ColumnFilter> FiltersOf(
    const google::protobuf::RepeatedPtrField<table::ImportExportShared::TableWhereFilter>& filters) {
  using Filter = table::ImportExportShared::TableWhereFilter;
  std::vector<ColumnFilter> out;
  for (const auto& filter : filters) {
    ColumnFilter column;
    column.column = Require(filter.columnsname(), "TableWhereFilter.columnsName");
    if (filter.values().empty())
      throw InvalidArgument("invalid_filter", "the filter on '" + filter.columnsname() + "' has no values");
    for (const auto& value : filter.values()) column.values.emplace_back(value);
    column.compare_as = DuckTypeOf(filter.datatype());
    bool several = filter.values_size() > 1;
    if (several && filter.operator_() != Filter::eq && filter.operator_() != Filter::ne) {
      throw InvalidArgument("invalid_filter", "the filter on '" + filter.columnsname() +
                                                  "' has several values: only eq and ne take several");
    }
    switch (filter.operator_()) {
      case Filter::eq:
        column.op = several ? FilterOp::kIn : FilterOp::kEq;
        break;
      case Filter::ne:
        column.op = several ? FilterOp::kNotIn : FilterOp::kNe;
        break;
      case Filter::gt:
        column.op = FilterOp::kGt;
        break;
      case Filter::ge:
        column.op = FilterOp::kGe;
        break;
      case Filter::lt:
        column.op = FilterOp::kLt;
        break;
      case Filter::le:
        column.op = FilterOp::kLe;
        break;
      default:
        throw InvalidArgument("invalid_filter",
                              "unknown operator of the filter on '" + filter.columnsname() + "'");
    }
    out.push_back(std::move(column));
  }
  return out;
}

std::vector<OrderBy> OrderOf(
    const google::protobuf::RepeatedPtrField<table::ImportExportShared::ExportOrderBy>& order_by) {
  std::vector<OrderBy> out;
  for (const auto& order : order_by) {
    OrderBy item;
    item.column = Require(order.columnname(), "ExportOrderBy.columnName");
    item.descending = order.order() == table::ImportExportShared::ExportOrderBy::DESC;
    if (order.datatype() != table::ImportExportShared::STRING) item.cast_as = DuckTypeOf(order.datatype());
    out.push_back(std::move(item));
  }
  return out;
}

ChangeWindow ChangeWindowOf(const std::string& since, const std::string& until) {
  return ChangeWindow{UnixSeconds(since, "changeSince"), UnixSeconds(until, "changeUntil")};
}

ObjectLocation ObjectAt(table::ImportExportShared::FileProvider provider,
                        const table::ImportExportShared::FilePath& path) {
  if (provider != table::ImportExportShared::S3) {
    throw Error(ErrorKind::kUnimplemented, "file_provider_not_supported",
                "file provider " + table::ImportExportShared::FileProvider_Name(provider) +
                    " is not supported; duckstore serves files over its own S3 API (provider S3)",
                {{"fileProvider", table::ImportExportShared::FileProvider_Name(provider)}});
  }
  ObjectLocation out;
  out.bucket = Require(path.root(), "FilePath.root");
  auto trim = [](std::string text) {
    while (!text.empty() && text.back() == '/') text.pop_back();
    return text;
  };
  std::string prefix = trim(path.path());
  out.key = prefix.empty()            ? path.filename()
            : path.filename().empty() ? prefix
                                      : prefix + "/" + path.filename();
  if (out.key.empty())
    throw InvalidArgument("invalid_request", "FilePath.path or FilePath.fileName is required");
  return out;
}

}  // namespace duckstore::driver
