#include "duckstore/server/tls_cert.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <memory>

#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void Check(bool ok, const char* what) {
  if (!ok) throw Internal(std::string("generating a self-signed TLS certificate failed: ") + what);
}

void AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  Check(extension != nullptr, "extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// Writes `pem` to a new file of mode 0600 (O_EXCL: a concurrent start cannot interleave two certificates).
void WritePrivate(const std::filesystem::path& file, const std::string& pem) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Internal("cannot create " + file.string());
  bool ok = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw Internal("cannot write " + file.string());
}

std::string Pem(const std::function<int(BIO*)>& write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(bio && write(bio.get()) == 1, "PEM");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

TlsFiles LoadOrCreateSelfSignedCertificate(const std::filesystem::path& dir, const std::string& host,
                                           const std::string& stem) {
  TlsFiles files{dir / (stem + ".crt"), dir / (stem + ".key")};
  if (std::filesystem::exists(files.cert) && std::filesystem::exists(files.key)) return files;
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  // A start that died between the two writes left a key alone: make both anew.
  std::filesystem::remove(files.key);
  std::filesystem::remove(files.cert);

  KeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "key");
  CertPtr cert(X509_new());
  Check(cert != nullptr, "certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  Check(RAND_bytes(serial, sizeof serial) == 1, "serial");
  serial[0] &= 0x7f;
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("duckstore"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (!host.empty() && host != "0.0.0.0" && host != "::" && host != "127.0.0.1" && host != "localhost") {
    bool ip = host.find_first_not_of("0123456789.:abcdefABCDEF") == std::string::npos &&
              host.find_first_of(".:") != std::string::npos;
    names += (ip ? ",IP:" : ",DNS:") + host;
  }
  AddExtension(cert.get(), NID_subject_alt_name, names);
  AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  AddExtension(cert.get(), NID_subject_key_identifier, "hash");
  Check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signature");

  // The key first: a crash in between leaves no certificate without its key.
  WritePrivate(files.key, Pem([&](BIO* bio) {
                 return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
               }));
  WritePrivate(files.cert, Pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }));
  return files;
}

}  // namespace duckstore
