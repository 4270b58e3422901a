#include <gtest/gtest.h>

#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore::driver {
namespace {

using Shared = table::ImportExportShared;

Shared::FilePath Path(std::string root, std::string path, std::string file) {
  Shared::FilePath out;
  out.set_root(std::move(root));
  out.set_path(std::move(path));
  out.set_filename(std::move(file));
  return out;
}

TEST(DriverSupport, FilePathsJoinTheirNonEmptyParts) {
  auto at = ObjectAt(Shared::S3, Path("kbc-files", "exports/2024", "orders.csv"));
  EXPECT_EQ(at.bucket, "kbc-files");
  EXPECT_EQ(at.key, "exports/2024/orders.csv");
  EXPECT_EQ(ObjectAt(Shared::S3, Path("b", "", "orders.csv")).key, "orders.csv");
  EXPECT_EQ(ObjectAt(Shared::S3, Path("b", "dir/", "")).key, "dir");
  EXPECT_EQ(ObjectAt(Shared::S3, Path("b", "dir/", "f")).key, "dir/f");
  EXPECT_DUCKSTORE_ERROR(ObjectAt(Shared::S3, Path("", "a", "b")), ErrorKind::kInvalidArgument,
                         "invalid_request");
  EXPECT_DUCKSTORE_ERROR(ObjectAt(Shared::S3, Path("b", "", "")), ErrorKind::kInvalidArgument,
                         "invalid_request");
  EXPECT_DUCKSTORE_ERROR(ObjectAt(Shared::GCS, Path("b", "a", "b")), ErrorKind::kUnimplemented,
                         "file_provider_not_supported");
}

TEST(DriverSupport, ColumnTypesSplitIntoTypeAndLength) {
  auto decimal = ColumnInfoOf(ColumnInfo{"a", "DECIMAL(12,2)", false, std::string("0"), 1});
  EXPECT_EQ(decimal.type(), "DECIMAL");
  EXPECT_EQ(decimal.length(), "12,2");
  EXPECT_FALSE(decimal.nullable());
  EXPECT_EQ(decimal.default_(), "0");
  auto nested = ColumnInfoOf(ColumnInfo{"b", "STRUCT(a INTEGER)", true, std::nullopt, 2});
  EXPECT_EQ(nested.type(), "STRUCT(a INTEGER)");
  EXPECT_EQ(nested.length(), "");
  EXPECT_EQ(ColumnInfoOf(ColumnInfo{"c", "VARCHAR", true, std::nullopt, 3}).type(), "VARCHAR");

  table::TableColumnShared shared;
  shared.set_name("d");
  shared.set_type("NUMERIC");
  shared.set_length("38,0");
  EXPECT_EQ(ColumnOf(shared).type, "NUMERIC(38,0)");
  EXPECT_FALSE(ColumnOf(shared).default_value.has_value());
}

TEST(DriverSupport, WhereFiltersBecomeTypedColumnFilters) {
  google::protobuf::RepeatedPtrField<Shared::TableWhereFilter> filters;
  auto* several = filters.Add();
  several->set_columnsname("status");
  several->set_operator_(Shared::TableWhereFilter::ne);
  several->add_values("a");
  several->add_values("b");
  auto* one = filters.Add();
  one->set_columnsname("amount");
  one->set_operator_(Shared::TableWhereFilter::ge);
  one->add_values("10");
  one->set_datatype(Shared::DECIMAL);
  auto out = FiltersOf(filters);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].op, FilterOp::kNotIn);
  EXPECT_EQ(out[0].compare_as, "VARCHAR");
  EXPECT_EQ(out[1].op, FilterOp::kGe);
  EXPECT_EQ(out[1].compare_as, "DOUBLE");

  one->add_values("20");  // several values need eq or ne
  EXPECT_DUCKSTORE_ERROR(FiltersOf(filters), ErrorKind::kInvalidArgument, "invalid_filter");
}

TEST(DriverSupport, ChangeWindowsAreNumeric) {
  auto window = ChangeWindowOf("1700000000", "");
  EXPECT_EQ(window.since, 1700000000);
  EXPECT_FALSE(window.until.has_value());
  EXPECT_DUCKSTORE_ERROR(ChangeWindowOf("2024-01-01", ""), ErrorKind::kInvalidArgument, "invalid_filter");
  EXPECT_DUCKSTORE_ERROR(ChangeWindowOf("", "12x"), ErrorKind::kInvalidArgument, "invalid_filter");
}

}  // namespace
}  // namespace duckstore::driver
