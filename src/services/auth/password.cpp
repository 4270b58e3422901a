#include "duckstore/services/auth/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <vector>

#include "duckstore/common/base64.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/common/sha256.hpp"

namespace duckstore {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr const char* kScheme = "SCRAM-SHA-256";

// StoredKey and ServerKey of RFC 5802 (raw).
std::pair<std::string, std::string> Keys(const std::string& password, const std::string& salt,
                                         int iterations) {
  std::string salted(32, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                        iterations, EVP_sha256(), static_cast<int>(salted.size()),
                        reinterpret_cast<unsigned char*>(salted.data())) != 1) {
    throw Internal("PBKDF2 failed");
  }
  std::string client_key = HmacSha256(salted, "Client Key");
  std::string server_key = HmacSha256(salted, "Server Key");
  return {Sha256(client_key), server_key};
}

}  // namespace

std::string GeneratePassword() {
  return RandomToken(24);
}

std::string MakeScramVerifier(const std::string& password) {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    throw Internal("no randomness for a password salt");
  auto [stored_key, server_key] = Keys(password, salt, kScramIterations);
  return std::string(kScheme) + "$" + std::to_string(kScramIterations) + ":" + Base64Encode(salt) + "$" +
         Base64Encode(stored_key) + ":" + Base64Encode(server_key);
}

std::optional<ScramSecret> ParseScramVerifier(const std::string& verifier) {
  // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
  auto dollar1 = verifier.find('$');
  auto colon1 = verifier.find(':', dollar1);
  auto dollar2 = verifier.find('$', colon1);
  auto colon2 = verifier.find(':', dollar2);
  if (dollar1 == std::string::npos || colon1 == std::string::npos || dollar2 == std::string::npos ||
      colon2 == std::string::npos || verifier.substr(0, dollar1) != kScheme) {
    return std::nullopt;
  }
  ScramSecret secret;
  try {
    secret.iterations = std::stoi(verifier.substr(dollar1 + 1, colon1 - dollar1 - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  auto salt = Base64Decode(verifier.substr(colon1 + 1, dollar2 - colon1 - 1));
  auto stored_key = Base64Decode(verifier.substr(dollar2 + 1, colon2 - dollar2 - 1));
  auto server_key = Base64Decode(verifier.substr(colon2 + 1));
  if (secret.iterations < 1 || !salt || !stored_key || !server_key || stored_key->size() != 32 ||
      server_key->size() != 32)
    return std::nullopt;
  secret.salt = std::move(*salt);
  secret.stored_key = std::move(*stored_key);
  secret.server_key = std::move(*server_key);
  return secret;
}

bool VerifyScramPassword(const std::string& verifier, const std::string& password) {
  auto secret = ParseScramVerifier(verifier);
  if (!secret) return false;
  auto [stored_key, server_key] = Keys(password, secret->salt, secret->iterations);
  return CRYPTO_memcmp(stored_key.data(), secret->stored_key.data(), stored_key.size()) == 0;
}

}  // namespace duckstore
