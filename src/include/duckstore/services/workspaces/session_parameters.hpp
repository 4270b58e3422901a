// The run-time parameters a workspace SQL session emulates (what PostgreSQL clients SET, SHOW and expect in
// ParameterStatus), and the recognition of the statements that set, show or reset them. DuckDB has no such
// parameters: the session (sql_session.hpp) keeps their values and answers these statements itself.
// Only values DuckDB's behaviour matches are accepted (UTF8, ISO dates, UTC, postgres intervals); others
// are refused with kInvalidArgument("invalid_parameter_value"), as PostgreSQL refuses a bad value.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace duckstore {

struct SessionParameter {
  const char* name;  // as reported (ParameterStatus, SHOW's column)
  const char* initial;
  bool settable;
  bool reported;  // sent in ParameterStatus when changed
};

// Every emulated parameter by lower-case name.
const std::map<std::string, SessionParameter>& SessionParameters();

// The canonical value of parameter `name` (lower-case) set to `value`; throws
// kInvalidArgument("invalid_parameter_value") for a value the session cannot honour.
std::string ValidateSessionParameter(const std::string& name, const std::string& value);

struct SessionCommand {
  enum Kind { kSet, kShow, kReset, kNoOp } kind;
  std::string name;  // lower-case
  std::optional<std::string> value;
};

// SET/SHOW/RESET of an emulated parameter (and SET TRANSACTION / SESSION CHARACTERISTICS, a no-op: DuckDB's
// isolation is fixed); nullopt for anything else. A SET's value is unquoted; nullopt value = DEFAULT.
std::optional<SessionCommand> ParseSessionCommand(const std::string& sql);

}  // namespace duckstore
