// SCRAM-SHA-256 server exchange: the RFC 7677 example, channel binding, downgrade and failure paths.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "duckstore/api/pgwire/codec.hpp"
#include "duckstore/api/pgwire/scram.hpp"
#include "duckstore/common/base64.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/common/sha256.hpp"

namespace duckstore::pgwire {
namespace {

std::string SaltedPassword(const std::string& password, const std::string& salt, int iterations) {
  std::string out(32, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                    iterations, EVP_sha256(), 32, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

ScramSecret SecretFor(const std::string& password, const std::string& salt) {
  auto salted = SaltedPassword(password, salt, 4096);
  return {4096, salt, Sha256(HmacSha256(salted, "Client Key")), HmacSha256(salted, "Server Key")};
}

// The client side, to drive the server through complete exchanges.
std::string ClientFinal(const std::string& password, const std::string& client_first_bare,
                        const std::string& server_first, const std::string& binding) {
  auto nonce = server_first.substr(2, server_first.find(',') - 2);
  auto salt_at = server_first.find(",s=") + 3;
  auto salt = *Base64Decode(server_first.substr(salt_at, server_first.find(",i=") - salt_at));
  auto without_proof = "c=" + Base64Encode(binding) + ",r=" + nonce;
  auto salted = SaltedPassword(password, salt, 4096);
  auto client_key = HmacSha256(salted, "Client Key");
  auto signature =
      HmacSha256(Sha256(client_key), client_first_bare + "," + server_first + "," + without_proof);
  std::string proof(32, '\0');
  for (size_t i = 0; i < 32; ++i) proof[i] = static_cast<char>(client_key[i] ^ signature[i]);
  return without_proof + ",p=" + Base64Encode(proof);
}

TEST(PgScram, Rfc7677Example) {
  auto salt = *Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  ScramServer server(SecretFor("pencil", salt), "user", "k", std::nullopt, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
  EXPECT_EQ(server.Mechanisms(), std::vector<std::string>{"SCRAM-SHA-256"});
  EXPECT_EQ(server.ClientFirst("SCRAM-SHA-256", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  EXPECT_EQ(
      server.ClientFinal("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+"
                         "Ute9ytag9zjfMHgsqmmiz7AndVQ="),
      "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

TEST(PgScram, WrongPasswordAndUnknownUserFailAlike) {
  ScramServer server(SecretFor("right", "0123456789abcdef"), "u", "k", std::nullopt);
  auto first = server.ClientFirst("SCRAM-SHA-256", "n,,n=,r=abc");
  EXPECT_THROW(server.ClientFinal(ClientFinal("wrong", "n=,r=abc", first, "n,,")), ScramFailed);

  ScramServer unknown(std::nullopt, "ghost", "k", std::nullopt);
  auto mock_first = unknown.ClientFirst("SCRAM-SHA-256", "n,,n=,r=abc");
  EXPECT_THROW(unknown.ClientFinal(ClientFinal("any", "n=,r=abc", mock_first, "n,,")), ScramFailed);
  // The mock salt is stable per user, so probing twice reveals nothing.
  ScramServer again(std::nullopt, "ghost", "k", std::nullopt);
  auto second = again.ClientFirst("SCRAM-SHA-256", "n,,n=,r=abc");
  EXPECT_EQ(mock_first.substr(mock_first.find(",s=")), second.substr(second.find(",s=")));
  // ... and its iteration count is a real verifier's (libpq refuses a zero count before the proof).
  EXPECT_EQ(mock_first.substr(mock_first.find(",i=")), ",i=" + std::to_string(kScramIterations));
}

TEST(PgScram, ChannelBinding) {
  std::string cert_hash(32, '\x07');
  ScramServer server(SecretFor("pw", "0123456789abcdef"), "u", "k", cert_hash);
  EXPECT_EQ(server.Mechanisms(), (std::vector<std::string>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}));
  std::string gs2 = "p=tls-server-end-point,,";
  auto first = server.ClientFirst("SCRAM-SHA-256-PLUS", gs2 + "n=,r=xyz");
  EXPECT_EQ(server.ClientFinal(ClientFinal("pw", "n=,r=xyz", first, gs2 + cert_hash)).substr(0, 2), "v=");

  // Binding data of another certificate (a man in the middle) fails.
  ScramServer mitm(SecretFor("pw", "0123456789abcdef"), "u", "k", cert_hash);
  first = mitm.ClientFirst("SCRAM-SHA-256-PLUS", gs2 + "n=,r=xyz");
  EXPECT_THROW(mitm.ClientFinal(ClientFinal("pw", "n=,r=xyz", first, gs2 + std::string(32, '\x08'))),
               ScramFailed);
}

TEST(PgScram, NegotiationErrors) {
  std::string cert_hash(32, '\x07');
  // "y": the client could bind but thinks the server cannot, although -PLUS was offered: a downgrade.
  ScramServer downgraded(SecretFor("pw", "s"), "u", "k", cert_hash);
  EXPECT_THROW(downgraded.ClientFirst("SCRAM-SHA-256", "y,,n=,r=a"), ScramFailed);
  // Without TLS "y" is fine.
  ScramServer plain(SecretFor("pw", "s"), "u", "k", std::nullopt);
  EXPECT_NO_THROW(plain.ClientFirst("SCRAM-SHA-256", "y,,n=,r=a"));
  ScramServer no_tls(SecretFor("pw", "s"), "u", "k", std::nullopt);
  EXPECT_THROW(no_tls.ClientFirst("SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=a"), ProtocolError);
  ScramServer mismatch(SecretFor("pw", "s"), "u", "k", cert_hash);
  EXPECT_THROW(mismatch.ClientFirst("SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=a"), ScramFailed);
}

TEST(PgScram, MalformedMessages) {
  auto make = [] { return ScramServer(SecretFor("pw", "s"), "u", "k", std::nullopt); };
  EXPECT_THROW(make().ClientFirst("MD5", "n,,n=,r=a"), ProtocolError);
  EXPECT_THROW(make().ClientFirst("SCRAM-SHA-256", ""), ProtocolError);
  EXPECT_THROW(make().ClientFirst("SCRAM-SHA-256", "n,a=admin,n=,r=a"), ProtocolError);
  EXPECT_THROW(make().ClientFirst("SCRAM-SHA-256", "n,,r=a"), ProtocolError);
  EXPECT_THROW(make().ClientFirst("SCRAM-SHA-256", "n,,n=,r="), ProtocolError);
  EXPECT_THROW(make().ClientFinal("c=biws,r=a,p=AAAA"), ProtocolError);
  auto server = make();
  server.ClientFirst("SCRAM-SHA-256", "n,,n=,r=a");
  EXPECT_THROW(server.ClientFinal("c=biws,r=wrong,p=" + Base64Encode(std::string(32, 'x'))), ProtocolError);
  EXPECT_THROW(server.ClientFinal("c=biws,r=a"), ProtocolError);
  EXPECT_THROW(server.ClientFinal("c=!!!!,r=a,p=" + Base64Encode(std::string(32, 'x'))), ProtocolError);
}

}  // namespace
}  // namespace duckstore::pgwire
