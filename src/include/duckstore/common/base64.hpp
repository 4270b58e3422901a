// Standard base64 (RFC 4648 section 4, with padding), as SCRAM and PostgreSQL's verifiers use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace duckstore {

std::string Base64Encode(std::string_view bytes);
// nullopt for text that is not canonical padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace duckstore
