// Views of a bucket over one table of the same branch: a column subset and row filters (the Keboola
// driver's CreateViewCommand). Views are DuckDB views; they carry no primary key and no storage. ViewInfo and
// LoadView are storage/engine/project_metadata.hpp's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/model/table_model.hpp"

namespace duckstore {

struct ViewDefinition {
  TableRef source;                    // a table of the same project and branch
  std::vector<std::string> columns;   // empty = every column
  std::vector<ColumnFilter> filters;  // AND-ed; written into the view as literals
};

class ViewService {
 public:
  ViewService(BranchResolver& branches, OperationLog& ops) : branches_(branches), ops_(ops) {}

  // Creates the view, or replaces an existing view of that name; kConflict("table_exists") if a table has
  // the name, kNotFound for a missing bucket, source table or column. On a dev branch the view is the
  // branch's own and reads the source where the branch sees it (docs/design/branches.md); a source in a
  // linked bucket is kInvalidArgument("invalid_source").
  ViewInfo CreateOrReplace(const TableRef& view, const ViewDefinition& definition);
  // kNotFound("view_not_found").
  ViewInfo Get(const TableRef& view);
  bool Exists(const TableRef& view);
  void Delete(const TableRef& view);

 private:
  BranchResolver& branches_;
  OperationLog& ops_;
};

// kInvalidArgument("invalid_source") for a linked bucket: a view is stored in this project's instance and
// cannot read a table of another project's.
void RefuseLinkedViewSource(const BucketLocation& bucket);

}  // namespace duckstore
