// Cryptographically secure randomness and digests (OpenSSL underneath).
#pragma once

#include <string>
#include <string_view>

namespace duckstore {

// `bytes` random bytes, hex-encoded (2*bytes characters).
std::string RandomHex(size_t bytes);
// `bytes` random bytes, base64url-encoded without padding.
std::string RandomToken(size_t bytes);

std::string Sha256Hex(std::string_view data);
// Raw HMAC-SHA256 digest (32 bytes).
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);
// Comparison whose duration does not depend on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace duckstore
