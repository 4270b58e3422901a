// SQL cursors of a workspace session (session_cursors.hpp): part of the session module, whose privates it
// uses. A cursor's query runs when it is declared and its rows are kept materialized in DuckDB's result
// (buffer-managed memory); FETCH and MOVE read them forward. docs/design/pgwire.md, "Cursors".
#include "duckdb/main/client_context.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/services/workspaces/sql_session.hpp"

namespace duckstore {
namespace {

Error NoCursor(const std::string& name) {
  return Error(ErrorKind::kInvalidArgument, "invalid_cursor_name", "cursor \"" + name + "\" does not exist");
}

}  // namespace

duckdb::unique_ptr<duckdb::DataChunk> SqlCursor::Take(uint64_t max) {
  if (max == 0) return nullptr;
  if (!chunk || next_row >= chunk->size()) {
    chunk = result->Fetch();
    next_row = 0;
    if (!chunk || chunk->size() == 0) {
      chunk.reset();
      return nullptr;
    }
  }
  auto rows = static_cast<duckdb::idx_t>(std::min<uint64_t>(max, chunk->size() - next_row));
  auto out = duckdb::make_uniq<duckdb::DataChunk>();
  out->Initialize(duckdb::Allocator::DefaultAllocator(), chunk->GetTypes());
  chunk->Copy(*out, next_row);  // the rows from next_row on; the first `rows` of them are returned
  out->SetCardinality(rows);
  next_row += rows;
  return out;
}

std::shared_ptr<SqlCursor> SqlSession::FindCursor(const std::string& name) {
  auto it = cursors_.find(name);
  if (it == cursors_.end()) Fail(NoCursor(name));
  return it->second;
}

std::optional<std::pair<std::vector<std::string>, std::vector<duckdb::LogicalType>>>
SqlSession::DescribeCursor(const std::string& name) const {
  auto it = cursors_.find(name);
  if (it == cursors_.end()) return std::nullopt;
  return std::make_pair(it->second->names, it->second->types);
}

bool SqlSession::PrepareCursor(SqlStatement& statement, const std::string& sql) {
  std::optional<CursorCommand> command;
  try {
    command = ParseCursorCommand(sql);
  } catch (const Error& e) {
    Fail(e);
  }
  if (!command) return false;
  switch (command->kind) {
    case CursorCommand::kDeclare: {
      duckdb::Parser parser;
      try {
        parser.ParseQuery(command->query);
      } catch (const std::exception& e) {
        Fail(duckdb::ErrorData(e));
      }
      if (parser.statements.size() != 1 ||
          parser.statements[0]->type != duckdb::StatementType::SELECT_STATEMENT)
        Fail(Error(ErrorKind::kInvalidArgument, "syntax_error",
                   "DECLARE CURSOR needs one SELECT or VALUES query"));
      PrepareChecked(statement, std::move(parser.statements[0]));
      statement.info_.column_names.clear();  // DECLARE itself answers no rows
      statement.info_.column_types.clear();
      statement.verb_ = "DECLARE CURSOR";
      break;
    }
    case CursorCommand::kFetch: {
      auto cursor = FindCursor(command->name);
      statement.info_.column_names = cursor->names;
      statement.info_.column_types = cursor->types;
      statement.verb_ = "FETCH";
      break;
    }
    case CursorCommand::kMove:
      FindCursor(command->name);
      statement.verb_ = "MOVE";
      break;
    case CursorCommand::kClose:
      if (!command->name.empty()) FindCursor(command->name);
      statement.verb_ = "CLOSE CURSOR";
      break;
  }
  statement.cursor_ = std::move(command);
  return true;
}

std::unique_ptr<SqlRows> SqlSession::RunCursor(SqlStatement& statement,
                                               duckdb::vector<duckdb::Value> parameters) {
  const auto& command = *statement.cursor_;
  std::unique_ptr<SqlRows> rows(new SqlRows(*this, statement.verb_));
  switch (command.kind) {
    case CursorCommand::kDeclare: {
      if (!command.hold && conn_->context->transaction.IsAutoCommit())
        Fail(Error(ErrorKind::kInvalidArgument, "no_active_sql_transaction",
                   "DECLARE CURSOR can only be used in transaction blocks"));
      if (cursors_.contains(command.name))
        Fail(Error(ErrorKind::kInvalidArgument, "duplicate_cursor",
                   "cursor \"" + command.name + "\" already exists"));
      duckdb::unique_ptr<duckdb::QueryResult> result;
      try {
        result = statement.prepared_->Execute(parameters, /*allow_stream_result=*/false);
      } catch (const std::exception& e) {
        Fail(duckdb::ErrorData(e));
      }
      if (result->HasError()) Fail(result->GetErrorObject());
      auto cursor = std::make_shared<SqlCursor>();
      cursor->names = {result->names.begin(), result->names.end()};
      cursor->types = {result->types.begin(), result->types.end()};
      cursor->hold = command.hold;
      cursor->result = std::move(result);
      cursors_[command.name] = std::move(cursor);
      break;
    }
    case CursorCommand::kFetch:
      rows->cursor_ = FindCursor(command.name);
      rows->cursor_left_ = command.count.value_or(UINT64_MAX);
      break;
    case CursorCommand::kMove: {
      auto cursor = FindCursor(command.name);
      int64_t moved = 0;
      for (uint64_t left = command.count.value_or(UINT64_MAX); left > 0;) {
        auto chunk = cursor->Take(left);
        if (!chunk) break;
        left -= chunk->size();
        moved += static_cast<int64_t>(chunk->size());
      }
      rows->changed_ = moved;
      break;
    }
    case CursorCommand::kClose:
      if (command.name.empty()) {
        cursors_.clear();
      } else {
        FindCursor(command.name);
        cursors_.erase(command.name);
      }
      break;
  }
  return rows;
}

void SqlSession::CloseTransactionCursors() {
  std::erase_if(cursors_, [](const auto& entry) { return !entry.second->hold; });
}

}  // namespace duckstore
