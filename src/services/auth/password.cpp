#include "duckstore/services/auth/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <vector>

#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {
namespace {

constexpr int kIterations = 4096;
constexpr size_t kSaltBytes = 16;
constexpr const char* kScheme = "SCRAM-SHA-256";

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Sha256(const std::string& data) {
  std::string out(32, '\0');
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &length, EVP_sha256(),
             nullptr);
  return out;
}

// StoredKey and ServerKey of RFC 5802, base64-encoded.
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
  return {Base64(Sha256(client_key)), Base64(server_key)};
}

std::string Base64Decode(const std::string& text) {
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return {};
  // EVP_DecodeBlock counts the bytes of '=' padding as zeros; drop them.
  size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace

std::string GeneratePassword() {
  return RandomToken(24);
}

std::string MakeScramVerifier(const std::string& password) {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    throw Internal("no randomness for a password salt");
  auto [stored_key, server_key] = Keys(password, salt, kIterations);
  return std::string(kScheme) + "$" + std::to_string(kIterations) + ":" + Base64(salt) + "$" + stored_key +
         ":" + server_key;
}

bool VerifyScramPassword(const std::string& verifier, const std::string& password) {
  // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
  auto dollar1 = verifier.find('$');
  auto colon1 = verifier.find(':', dollar1);
  auto dollar2 = verifier.find('$', colon1);
  auto colon2 = verifier.find(':', dollar2);
  if (dollar1 == std::string::npos || colon1 == std::string::npos || dollar2 == std::string::npos ||
      colon2 == std::string::npos || verifier.substr(0, dollar1) != kScheme) {
    return false;
  }
  int iterations = 0;
  try {
    iterations = std::stoi(verifier.substr(dollar1 + 1, colon1 - dollar1 - 1));
  } catch (const std::exception&) {
    return false;
  }
  if (iterations < 1) return false;
  std::string salt = Base64Decode(verifier.substr(colon1 + 1, dollar2 - colon1 - 1));
  std::string expected = verifier.substr(dollar2 + 1, colon2 - dollar2 - 1);
  auto [stored_key, server_key] = Keys(password, salt, iterations);
  return stored_key.size() == expected.size() &&
         CRYPTO_memcmp(stored_key.data(), expected.data(), expected.size()) == 0;
}

}  // namespace duckstore
