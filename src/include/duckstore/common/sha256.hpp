// The raw SHA-256 digest (32 bytes), as SCRAM needs it (random.hpp has the hex form and HMAC).
#pragma once

#include <string>
#include <string_view>

namespace duckstore {

std::string Sha256(std::string_view data);

}  // namespace duckstore
