#include "duckstore/api/pgwire/errors.hpp"

#include <map>

#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"

namespace duckstore::pgwire {
namespace {

const char* SqlStateOfCode(const std::string& code) {
  static const std::map<std::string, const char*> kCodes = {
      {"syntax_error", "42601"},
      {"invalid_query", "42601"},
      {"undefined_table", "42P01"},
      {"table_not_found", "42P01"},
      {"undefined_column", "42703"},
      {"undefined_function", "42883"},
      {"undefined_object", "42704"},
      {"duplicate_table", "42P07"},
      {"insufficient_privilege", "42501"},
      {"unique_violation", "23505"},
      {"not_null_violation", "23502"},
      {"foreign_key_violation", "23503"},
      {"check_violation", "23514"},
      {"query_canceled", "57014"},
      {"out_of_memory", "53200"},
      {"in_failed_sql_transaction", "25P02"},
      {"active_sql_transaction", "25001"},
      {"no_active_sql_transaction", "25P01"},
      {"serialization_failure", "40001"},
      {"invalid_parameter", "22P02"},
      {"invalid_text_representation", "22P02"},
      {"bad_copy_file_format", "22P04"},
      {"division_by_zero", "22012"},
      {"numeric_value_out_of_range", "22003"},
      {"datetime_field_overflow", "22008"},
      {"data_exception", "22000"},
      {"feature_not_supported", "0A000"},
      {"invalid_parameter_value", "22023"},
      {"undefined_parameter", "42704"},
      {"cant_change_runtime_param", "55P02"},
      {"too_many_connections", "53300"},
      {"admin_shutdown", "57P01"},
      {"idle_session_timeout", "57P05"},
      {"idle_in_transaction_session_timeout", "25P03"},
      {"protocol_violation", "08P01"},
      {"invalid_sql_statement_name", "26000"},
      {"invalid_cursor_name", "34000"},
      {"duplicate_prepared_statement", "42P05"},
      {"duplicate_cursor", "42P03"},
      {"invalid_password", "28P01"},
      {"invalid_authorization_specification", "28000"},
  };
  auto it = kCodes.find(code);
  return it == kCodes.end() ? nullptr : it->second;
}

const char* SqlStateOfKind(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
      return "22023";
    case ErrorKind::kUnauthenticated:
      return "28000";
    case ErrorKind::kPermissionDenied:
      return "42501";
    case ErrorKind::kNotFound:
      return "42704";
    case ErrorKind::kConflict:
      return "40001";
    case ErrorKind::kPayloadTooLarge:
      return "54000";
    case ErrorKind::kUnprocessable:
      return "22000";
    case ErrorKind::kCancelled:
    case ErrorKind::kTimeout:
      return "57014";
    case ErrorKind::kUnimplemented:
      return "0A000";
    case ErrorKind::kUnavailable:
      return "53000";
    case ErrorKind::kInsufficientStorage:
      return "53100";  // disk_full
    default:
      return "XX000";
  }
}

}  // namespace

Notice NoticeOf(const std::exception& error) {
  Notice notice;
  if (const auto* protocol = dynamic_cast<const ProtocolError*>(&error)) {
    notice.sqlstate = protocol->sqlstate();
    notice.message = protocol->what();
    return notice;
  }
  const auto* e = dynamic_cast<const Error*>(&error);
  if (!e || e->kind() == ErrorKind::kInternal) {
    spdlog::error("pgwire: unexpected error: {}", error.what());
    notice.sqlstate = "XX000";
    notice.message = "internal error";
    return notice;
  }
  const char* state = SqlStateOfCode(e->code());
  notice.sqlstate = state ? state : SqlStateOfKind(e->kind());
  notice.message = e->what();
  const auto& details = e->details();
  if (details.is_object()) {
    if (auto it = details.find("position"); it != details.end() && it->is_number_integer())
      notice.position = it->get<int32_t>();
    if (auto it = details.find("detail"); it != details.end() && it->is_string())
      notice.detail = it->get<std::string>();
    if (auto it = details.find("hint"); it != details.end() && it->is_string())
      notice.hint = it->get<std::string>();
  }
  return notice;
}

}  // namespace duckstore::pgwire
