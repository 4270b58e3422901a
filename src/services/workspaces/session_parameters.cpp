#include "duckstore/services/workspaces/session_parameters.hpp"

#include <regex>
#include <stdexcept>

#include "duckdb/common/string_util.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore {

using duckdb::StringUtil;

const std::map<std::string, SessionParameter>& SessionParameters() {
  static const std::map<std::string, SessionParameter> kParameters = {
      {"application_name", {"application_name", "", true, true}},
      {"client_encoding", {"client_encoding", "UTF8", true, true}},
      {"datestyle", {"DateStyle", "ISO, MDY", true, true}},
      {"timezone", {"TimeZone", "UTC", true, true}},
      {"intervalstyle", {"IntervalStyle", "postgres", true, true}},
      {"extra_float_digits", {"extra_float_digits", "1", true, false}},
      {"search_path", {"search_path", "\"$user\", public", true, false}},
      {"statement_timeout", {"statement_timeout", "0", true, false}},
      {"idle_in_transaction_session_timeout", {"idle_in_transaction_session_timeout", "0", true, false}},
      {"standard_conforming_strings", {"standard_conforming_strings", "on", false, false}},
      {"server_version", {"server_version", "15.0", false, false}},
      {"server_version_num", {"server_version_num", "150000", false, false}},
      {"server_encoding", {"server_encoding", "UTF8", false, false}},
      {"integer_datetimes", {"integer_datetimes", "on", false, false}},
      {"max_identifier_length", {"max_identifier_length", "63", false, false}},
      {"transaction_isolation", {"transaction_isolation", "repeatable read", false, false}},
      {"default_transaction_isolation", {"default_transaction_isolation", "repeatable read", false, false}},
      {"transaction_read_only", {"transaction_read_only", "off", false, false}},
      {"is_superuser", {"is_superuser", "off", false, false}},
  };
  return kParameters;
}

namespace {

// The value of a SET as the client wrote it: quotes removed; nullopt for DEFAULT.
std::optional<std::string> SetValue(std::string value) {
  StringUtil::Trim(value);
  if (StringUtil::CIEquals(value, "default")) return std::nullopt;
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  return value;
}

}  // namespace

std::string ValidateSessionParameter(const std::string& name, const std::string& value) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid_parameter_value",
                           "invalid value for parameter \"" + name + "\": \"" + value + "\": " + why);
  };
  std::string upper = StringUtil::Upper(value);
  if (name == "client_encoding") {
    if (upper != "UTF8" && upper != "UTF-8" && upper != "UNICODE") throw bad("only UTF8 is supported");
    return "UTF8";
  }
  if (name == "datestyle") {
    if (!StringUtil::Contains(upper, "ISO")) throw bad("only ISO is supported");
    return "ISO, MDY";
  }
  if (name == "timezone") {
    if (upper != "UTC" && upper != "ETC/UTC" && upper != "GMT" && upper != "Z" && upper != "+00" &&
        upper != "0")
      throw bad("only UTC is supported");
    return "UTC";
  }
  if (name == "intervalstyle") {
    if (upper != "POSTGRES") throw bad("only postgres is supported");
    return "postgres";
  }
  if (name == "extra_float_digits" || name == "statement_timeout" ||
      name == "idle_in_transaction_session_timeout") {
    try {
      size_t used = 0;
      long long n = std::stoll(value, &used);
      if (used != value.size() || n < -15) throw bad("an integer is required");
    } catch (const std::invalid_argument&) {
      throw bad("an integer is required");
    } catch (const std::out_of_range&) {
      throw bad("an integer is required");
    }
  }
  return value;
}

std::optional<SessionCommand> ParseSessionCommand(const std::string& sql) {
  static const std::regex kTimeZone(R"(^\s*set\s+(?:session\s+|local\s+)?time\s+zone\s+(.+?)\s*;?\s*$)",
                                    std::regex::icase);
  static const std::regex kSet(
      R"(^\s*set\s+(?:session\s+|local\s+)?([a-z_][a-z0-9_]*)\s*(?:=|\s+to\s+)\s*(.+?)\s*;?\s*$)",
      std::regex::icase);
  static const std::regex kTransaction(
      R"(^\s*set\s+(?:session\s+characteristics\s+as\s+)?transaction\s[^;]*;?\s*$)", std::regex::icase);
  static const std::regex kShow(R"(^\s*show\s+([a-z_][a-z0-9_ ]*?)\s*;?\s*$)", std::regex::icase);
  static const std::regex kReset(R"(^\s*reset\s+([a-z_][a-z0-9_]*)\s*;?\s*$)", std::regex::icase);
  std::smatch m;
  auto known = [](const std::string& name) { return SessionParameters().contains(name) || name == "all"; };
  if (std::regex_match(sql, m, kTimeZone))
    return SessionCommand{SessionCommand::kSet, "timezone", SetValue(m[1])};
  if (std::regex_match(sql, m, kTransaction)) return SessionCommand{SessionCommand::kNoOp, "", {}};
  if (std::regex_match(sql, m, kSet)) {
    std::string name = StringUtil::Lower(m[1]);
    if (known(name) && name != "all") return SessionCommand{SessionCommand::kSet, name, SetValue(m[2])};
    return std::nullopt;
  }
  if (std::regex_match(sql, m, kShow)) {
    std::string name = StringUtil::Lower(m[1]);
    if (name == "transaction isolation level") name = "transaction_isolation";
    if (name == "time zone") name = "timezone";
    if (SessionParameters().contains(name)) return SessionCommand{SessionCommand::kShow, name, {}};
    return std::nullopt;
  }
  if (std::regex_match(sql, m, kReset)) {
    std::string name = StringUtil::Lower(m[1]);
    if (known(name)) return SessionCommand{SessionCommand::kReset, name, {}};
  }
  return std::nullopt;
}
}  // namespace duckstore
