// Passwords of workspace users, kept only as SCRAM-SHA-256 verifiers in PostgreSQL's own format
// ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64 parts; RFC 5802 / RFC 7677).
// A verifier checks a cleartext password, and the PG wire server can run SCRAM authentication from it
// without ever knowing the password.
#pragma once

#include <optional>
#include <string>

namespace duckstore {

// A new random password: 32 characters of base64url (192 bits).
std::string GeneratePassword();
// PBKDF2 iterations of the verifiers made here (PostgreSQL's default).
inline constexpr int kScramIterations = 4096;
// A verifier for `password` with a random 16-byte salt and kScramIterations.
std::string MakeScramVerifier(const std::string& password);
// The parts of a verifier, decoded (raw bytes); nullopt for a malformed verifier.
struct ScramSecret {
  int iterations = 0;
  std::string salt;
  std::string stored_key;
  std::string server_key;
};
std::optional<ScramSecret> ParseScramVerifier(const std::string& verifier);
// True when `password` matches `verifier` (constant-time comparison); false for malformed verifiers.
bool VerifyScramPassword(const std::string& verifier, const std::string& password);

}  // namespace duckstore
