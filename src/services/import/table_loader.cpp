#include "duckstore/services/import/table_loader.hpp"

#include <chrono>

#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/import/import_errors.hpp"
#include "duckstore/services/sql_builder.hpp"

namespace duckstore {
namespace {

constexpr const char* kStage = "temp.main.__duckstore_import_stage";
constexpr const char* kOrdinal = "__duckstore_ordinal";

class TimerSet {
 public:
  template <typename Body>
  auto Time(const std::string& name, Body&& body) {
    auto started = std::chrono::steady_clock::now();
    auto record = [&] {
      timers.push_back(
          {name, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
    };
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      record();
    } else {
      auto result = body();
      record();
      return result;
    }
  }
  std::vector<Timer> timers;
};

int64_t Count(const duckdb::unique_ptr<duckdb::MaterializedQueryResult>& result) {
  return result->RowCount() ? result->GetValue(0, 0).GetValue<int64_t>() : 0;
}

std::string KeyList(const std::vector<std::string>& key, const std::string& alias = "") {
  std::string out;
  for (const auto& k : key) out += (out.empty() ? "" : ", ") + alias + QuoteIdent(k);
  return out;
}

std::string KeyMatch(const std::vector<std::string>& key, const std::string& left, const std::string& right) {
  std::string out;
  for (const auto& k : key) {
    out += (out.empty() ? "" : " AND ") + left + "." + QuoteIdent(k) + " IS NOT DISTINCT FROM " + right +
           "." + QuoteIdent(k);
  }
  return out;
}

// Throws the duplicate-key error when `sql` (selecting key columns of duplicates) finds any.
void FailOnDuplicates(duckdb::Connection& conn, const std::string& sql, const SqlParams& params,
                      const std::vector<std::string>& key, const std::string& what) {
  auto found = RunSql(conn, sql, params);
  if (found->RowCount() == 0) return;
  nlohmann::json value = nlohmann::json::object();
  std::string shown;
  for (size_t i = 0; i < key.size(); ++i) {
    value[key[i]] = ValueToJson(found->GetValue(i, 0));
    shown += (i ? ", " : "") + key[i] + "=" + found->GetValue(i, 0).ToString();
  }
  throw ImportError(ErrorKind::kUnprocessable, "duplicate_keys", "duplicate key (" + shown + ") " + what,
                    DriverCode::kMandatoryInvalidSourceData, {{"key", value}});
}

}  // namespace

LoadOutcome LoadIntoTable(duckdb::Connection& conn, const TableInfo& table, const SourceRelation& source,
                          const ColumnPlan& plan, const ImportOptions& options, TaskControl* control,
                          const std::function<void(const Error&)>& diagnose) {
  const std::string target = QualifiedName(table.bucket, table.name);
  const std::string columns = plan.TargetList();
  const std::string plain = "SELECT " + plan.SelectList() + " FROM " + source.sql;
  // The last occurrence of a key wins: number the source rows in scan order (DuckDB keeps insertion
  // order; row_number() OVER () streams), keep the highest number per key.
  const std::string deduplicated =
      plan.key.empty() ? plain
                       : "SELECT " + columns + " FROM (SELECT row_number() OVER () AS " +
                             std::string(kOrdinal) + ", " + plan.SelectList() + " FROM " + source.sql +
                             ") QUALIFY row_number() OVER "
                             "(PARTITION BY " +
                             KeyList(plan.key) + " ORDER BY " + kOrdinal + " DESC) = 1";
  const bool has_key = !plan.key.empty();
  const bool incremental = options.type == ImportType::kIncremental;

  TimerSet timers;
  LoadOutcome outcome;
  AttachedConnection attached(control, conn);
  auto checkpoint = [&](const char* phase) {
    if (control) {
      control->Checkpoint();
      control->SetPhase(phase);
    }
  };
  try {
    InSqlTransaction(conn, [&] {
      if (!incremental) {
        checkpoint("loading");
        timers.Time("deleteTarget", [&] { RunSql(conn, "DELETE FROM " + target); });
        bool dedup = has_key && options.dedup == DedupType::kUpdateDuplicates;
        outcome.imported_rows = timers.Time(dedup ? "insertIntoTargetWithDedup" : "insertIntoTarget", [&] {
          return Count(
              RunSql(conn, "INSERT INTO " + target + " (" + columns + ") " + (dedup ? deduplicated : plain),
                     source.params));
        });
        if (has_key && options.dedup == DedupType::kFailOnDuplicates) {
          checkpoint("checking_duplicates");
          timers.Time("checkDuplicates", [&] {
            FailOnDuplicates(conn,
                             "SELECT " + KeyList(plan.key) + " FROM " + target +
                                 " GROUP BY ALL HAVING count(*) > 1 LIMIT 1",
                             {}, plan.key, "occurs more than once in the source");
          });
        }
        return;
      }
      if (!has_key || options.dedup == DedupType::kInsertDuplicates) {
        checkpoint("loading");
        outcome.imported_rows = timers.Time("insertIntoTarget", [&] {
          return Count(RunSql(conn, "INSERT INTO " + target + " (" + columns + ") " + plain, source.params));
        });
        return;
      }
      checkpoint("staging");
      bool fail = options.dedup == DedupType::kFailOnDuplicates;
      outcome.imported_rows = timers.Time(fail ? "copyToStaging" : "copyToStagingWithDedup", [&] {
        return Count(
            RunSql(conn, std::string("CREATE TEMP TABLE ") + kStage + " AS " + (fail ? plain : deduplicated),
                   source.params));
      });
      if (fail) {
        checkpoint("checking_duplicates");
        timers.Time("checkDuplicates", [&] {
          FailOnDuplicates(
              conn,
              "SELECT " + KeyList(plan.key) + " FROM " + kStage + " GROUP BY ALL HAVING count(*) > 1 LIMIT 1",
              {}, plan.key, "occurs more than once in the source");
          FailOnDuplicates(conn,
                           "SELECT " + KeyList(plan.key, "s.") + " FROM " + kStage + " s SEMI JOIN " +
                               target + " t ON " + KeyMatch(plan.key, "s", "t") + " LIMIT 1",
                           {}, plan.key, "already exists in the table");
        });
      } else {
        checkpoint("updating");
        if (plan.managed_timestamp) {
          // Rows that do not change keep their timestamp: only inserted and changed rows get the new one.
          std::string same = KeyMatch(plan.key, "s", "t");
          for (const auto& column : plan.target_columns) {
            if (column == *plan.managed_timestamp) continue;
            same += " AND s." + QuoteIdent(column) + " IS NOT DISTINCT FROM t." + QuoteIdent(column);
          }
          std::string ts = QuoteIdent(*plan.managed_timestamp);
          timers.Time("keepUnchangedTimestamps", [&] {
            RunSql(conn, std::string("UPDATE ") + kStage + " s SET " + ts + " = t." + ts + " FROM " + target +
                             " t WHERE " + same);
          });
        }
        timers.Time("deleteUpdatedRows", [&] {
          RunSql(conn,
                 "DELETE FROM " + target + " t USING " + kStage + " s WHERE " + KeyMatch(plan.key, "t", "s"));
        });
      }
      checkpoint("loading");
      timers.Time("insertIntoTargetFromStaging", [&] {
        RunSql(conn, "INSERT INTO " + target + " (" + columns + ") SELECT " + columns + " FROM " + kStage);
      });
      RunDdl(conn, std::string("DROP TABLE ") + kStage);
    });
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kCancelled && error.code() != "duplicate_keys" && diagnose)
      diagnose(error);
    throw;
  }
  outcome.timers = std::move(timers.timers);
  return outcome;
}

}  // namespace duckstore
