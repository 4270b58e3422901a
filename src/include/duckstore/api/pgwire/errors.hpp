// duckstore::Error and other exceptions as the fields of an ErrorResponse, in one place. Error codes of
// SQL failures are PostgreSQL's condition names (syntax_error, undefined_table, ...; the services choose
// them), so the SQLSTATE is a lookup; other codes map by their kind. A position in the error's details
// ("position", 1-based) becomes the P field. Unexpected exceptions become XX000 without their text.
#pragma once

#include <exception>

#include "duckstore/api/pgwire/codec.hpp"

namespace duckstore::pgwire {

Notice NoticeOf(const std::exception& error);

}  // namespace duckstore::pgwire
