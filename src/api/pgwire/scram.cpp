#include "duckstore/api/pgwire/scram.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "duckstore/api/pgwire/codec.hpp"
#include "duckstore/common/base64.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/common/sha256.hpp"

namespace duckstore::pgwire {
namespace {

constexpr const char* kBindingType = "tls-server-end-point";
constexpr size_t kNonceBytes = 18;  // as PostgreSQL

[[noreturn]] void Malformed(const std::string& why) {
  throw ProtocolError("malformed SCRAM message: " + why);
}

// The value of attribute `name` ("r=...") at the start of `text`, up to the next comma; `text` advances
// past it and its comma.
std::string_view Attribute(std::string_view& text, char name) {
  if (text.size() < 2 || text[0] != name || text[1] != '=')
    Malformed(std::string("expected attribute '") + name + "'");
  auto comma = text.find(',');
  auto value = text.substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2);
  text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  return value;
}

bool PrintableNonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

}  // namespace

ScramServer::ScramServer(std::optional<ScramSecret> secret, std::string_view user, std::string_view mock_key,
                         std::optional<std::string> channel_binding, std::optional<std::string> server_nonce)
    : known_(secret.has_value()), channel_binding_(std::move(channel_binding)) {
  if (secret) {
    secret_ = std::move(*secret);
  } else {
    secret_.iterations = kScramIterations;
    secret_.salt = HmacSha256(mock_key, user).substr(0, 16);
    secret_.stored_key = RandomToken(32);
    secret_.server_key = RandomToken(32);
  }
  server_nonce_ = server_nonce ? *server_nonce : Base64Encode(RandomToken(kNonceBytes));
}

std::vector<std::string> ScramServer::Mechanisms() const {
  if (channel_binding_) return {kScramSha256Plus, kScramSha256};
  return {kScramSha256};
}

std::string ScramServer::ClientFirst(std::string_view mechanism, std::string_view message) {
  plus_ = mechanism == kScramSha256Plus;
  if (!plus_ && mechanism != kScramSha256) Malformed("unsupported mechanism");
  if (plus_ && !channel_binding_) Malformed("SCRAM-SHA-256-PLUS needs TLS");
  // gs2-header: cbind-flag "," [authzid] ","
  std::string_view rest = message;
  auto first_comma = rest.find(',');
  if (first_comma == std::string_view::npos) Malformed("no GS2 header");
  std::string_view flag = rest.substr(0, first_comma);
  if (flag == "n" || flag == "y") {
    if (plus_) throw ScramFailed("the client selected SCRAM-SHA-256-PLUS without channel binding");
    // "y": the client could bind but believes the server cannot; we offered -PLUS, so this is a downgrade.
    if (flag == "y" && channel_binding_) throw ScramFailed("SCRAM channel binding negotiation error");
  } else if (flag == std::string("p=") + kBindingType) {
    if (!plus_) throw ScramFailed("the client requires channel binding but selected SCRAM-SHA-256");
  } else {
    Malformed("unsupported channel binding flag");
  }
  rest = rest.substr(first_comma + 1);
  if (rest.empty() || rest[0] != ',') Malformed("authorization identities are not supported");
  gs2_header_ = std::string(message.substr(0, first_comma + 2));
  rest = rest.substr(1);
  client_first_bare_ = std::string(rest);
  // n=<user> (PostgreSQL takes the user of the startup packet and ignores this one), r=<nonce>; "m" is a
  // mandatory extension we do not know.
  Attribute(rest, 'n');
  auto client_nonce = Attribute(rest, 'r');
  if (!PrintableNonce(client_nonce)) Malformed("invalid nonce");
  nonce_ = std::string(client_nonce) + server_nonce_;
  server_first_ =
      "r=" + nonce_ + ",s=" + Base64Encode(secret_.salt) + ",i=" + std::to_string(secret_.iterations);
  return server_first_;
}

std::string ScramServer::ClientFinal(std::string_view message) {
  if (server_first_.empty()) Malformed("client-final-message before client-first-message");
  auto proof_at = message.rfind(",p=");
  if (proof_at == std::string_view::npos) Malformed("no proof");
  std::string_view without_proof = message.substr(0, proof_at);
  std::string_view rest = without_proof;
  auto binding = Base64Decode(Attribute(rest, 'c'));
  auto nonce = Attribute(rest, 'r');
  auto proof = Base64Decode(message.substr(proof_at + 3));
  if (!binding || !proof || proof->size() != 32) Malformed("invalid base64");
  std::string expected_binding = gs2_header_ + (plus_ ? *channel_binding_ : std::string());
  if (!ConstantTimeEquals(*binding, expected_binding))
    throw ScramFailed("SCRAM channel binding check failed");
  if (nonce != nonce_) Malformed("the nonce does not match");

  std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  std::string signature = HmacSha256(secret_.stored_key, auth_message);
  std::string client_key(32, '\0');
  for (size_t i = 0; i < 32; ++i) client_key[i] = static_cast<char>((*proof)[i] ^ signature[i]);
  if (!known_ || !ConstantTimeEquals(Sha256(client_key), secret_.stored_key))
    throw ScramFailed("password authentication failed");
  return "v=" + Base64Encode(HmacSha256(secret_.server_key, auth_message));
}

}  // namespace duckstore::pgwire
