// Passwords of workspace users, kept only as SCRAM-SHA-256 verifiers in PostgreSQL's own format
// ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64 parts; RFC 5802 / RFC 7677).
// A verifier checks a cleartext password, and the PG wire server can run SCRAM authentication from it
// without ever knowing the password.
#pragma once

#include <string>

namespace duckstore {

// A new random password: 32 characters of base64url (192 bits).
std::string GeneratePassword();
// A verifier for `password` with a random 16-byte salt and 4096 PBKDF2 iterations (PostgreSQL's default).
std::string MakeScramVerifier(const std::string& password);
// True when `password` matches `verifier` (constant-time comparison); false for malformed verifiers.
bool VerifyScramPassword(const std::string& verifier, const std::string& password);

}  // namespace duckstore
