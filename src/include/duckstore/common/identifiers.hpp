// Validation and quoting of every name that reaches SQL or the filesystem.
//
// Two families of names exist:
//  - path-safe ids (projects, branches, workspaces, key ids) become directory or file names, so they are
//    restricted to [A-Za-z0-9_-] and a bounded length;
//  - object names (buckets, tables, columns) become DuckDB identifiers only, never paths. They may hold
//    dots, dashes, spaces and any Unicode (Keboola's `in.c-sales`), but not `/`, `\`, NUL or control
//    characters, not `.`/`..` alone, not be empty or over-long, and must be valid UTF-8.
// Both throw Error(kInvalidArgument, "invalid_name") with the offending name in details.
#pragma once

#include <string>
#include <string_view>

namespace duckstore {

inline constexpr size_t kMaxIdLength = 64;
inline constexpr size_t kMaxObjectNameLength = 255;

// `what` names the kind of object for the message ("project id", "bucket name"...).
void ValidateId(std::string_view id, std::string_view what);
void ValidateObjectName(std::string_view name, std::string_view what);

bool IsValidUtf8(std::string_view text);

// "name" with embedded quotes doubled: the only way an identifier is ever written into SQL.
std::string QuoteIdent(std::string_view name);
// 'text' with embedded quotes doubled, for the few places DuckDB takes a literal that cannot be a bound
// parameter (ATTACH paths, PRAGMA arguments). Never used for user-supplied values.
std::string QuoteLiteral(std::string_view text);

}  // namespace duckstore
