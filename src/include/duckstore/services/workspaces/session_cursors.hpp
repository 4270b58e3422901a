// SQL cursors of a workspace session: DECLARE, FETCH, MOVE and CLOSE, which DuckDB does not have and
// PostgreSQL clients use for server-side cursors (psycopg2's named cursors, psycopg 3's ServerCursor, BI
// tools paging a large result). docs/design/pgwire.md, "Cursors".
//
// ParseCursorCommand recognises the statements (a small hand tokenizer: the query after DECLARE ... FOR
// may be large, so no regular expression runs over it). Supported, as PostgreSQL:
//   DECLARE name [ASENSITIVE | INSENSITIVE] [NO SCROLL] CURSOR [{WITH | WITHOUT} HOLD] FOR query
//   FETCH | MOVE [NEXT | FORWARD [count | ALL] | count | ALL] [FROM | IN] name
//   CLOSE name | ALL
// Names fold to lower case unless double-quoted. Scrolling (SCROLL, PRIOR, FIRST, LAST, ABSOLUTE, RELATIVE,
// BACKWARD, negative counts) and BINARY cursors throw kUnimplemented("feature_not_supported"); a malformed
// cursor statement throws kInvalidArgument("syntax_error").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace duckstore {

struct CursorCommand {
  enum Kind { kDeclare, kFetch, kMove, kClose } kind = kDeclare;
  std::string name;              // empty for CLOSE ALL
  std::string query;             // kDeclare: the query, as written after FOR
  bool hold = false;             // kDeclare: WITH HOLD (outlives the transaction)
  std::optional<int64_t> count;  // kFetch, kMove: how many rows; nullopt = ALL
};

// The cursor statement `sql` is; nullopt when it is none (its first word is not DECLARE, FETCH, MOVE or
// CLOSE).
std::optional<CursorCommand> ParseCursorCommand(const std::string& sql);

}  // namespace duckstore
