#include "duckstore/common/checksum.hpp"

#include <isa-l/crc.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>

#include "duckstore/common/crc64nvme.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

struct AlgorithmInfo {
  ChecksumAlgorithm algorithm;
  std::string_view name;
  size_t bytes;
};

constexpr std::array<AlgorithmInfo, 5> kAlgorithms = {{
    {ChecksumAlgorithm::kCrc32, "CRC32", 4},
    {ChecksumAlgorithm::kCrc32c, "CRC32C", 4},
    {ChecksumAlgorithm::kCrc64Nvme, "CRC64NVME", 8},
    {ChecksumAlgorithm::kSha1, "SHA1", 20},
    {ChecksumAlgorithm::kSha256, "SHA256", 32},
}};

const AlgorithmInfo& InfoOf(ChecksumAlgorithm algorithm) {
  return kAlgorithms[static_cast<size_t>(algorithm)];
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Continues a finished CRC (zlib style: 0 for empty content) over more bytes.
uint64_t CrcUpdate(ChecksumAlgorithm algorithm, uint64_t crc, const unsigned char* data, size_t size) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return crc32_gzip_refl(static_cast<uint32_t>(crc), data, size);
    case ChecksumAlgorithm::kCrc32c: {
      // ISA-L's iSCSI CRC works on the raw register (no initial or final inversion) and takes an int length.
      uint32_t state = ~static_cast<uint32_t>(crc);
      while (size > 0) {
        size_t piece = std::min<size_t>(size, INT_MAX & ~size_t{4095});
        state = crc32_iscsi(const_cast<unsigned char*>(data), static_cast<int>(piece), state);
        data += piece;
        size -= piece;
      }
      return ~state;
    }
    case ChecksumAlgorithm::kCrc64Nvme:
      return Crc64NvmeUpdate(crc, data, size);
    default:
      throw Internal("not a CRC algorithm");
  }
}

std::string CrcBytes(uint64_t crc, size_t bytes) {
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) out[bytes - 1 - i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return out;
}

uint64_t CrcValue(std::string_view raw, size_t bytes) {
  if (raw.size() != bytes) throw Internal("checksum of the wrong size");
  uint64_t value = 0;
  for (unsigned char c : raw) value = (value << 8) | c;
  return value;
}

uint64_t ReflectedPolynomial(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return 0xedb88320u;
    case ChecksumAlgorithm::kCrc32c:
      return 0x82f63b78u;
    default:
      return kCrc64NvmeReflectedPolynomial;
  }
}

// Polynomial arithmetic modulo the CRC polynomial in the reflected representation (zlib's crc32_combine,
// generalised to 32 and 64 bits): the highest bit is x^0.
class CrcField {
 public:
  CrcField(uint64_t polynomial, int width) : polynomial_(polynomial), top_(uint64_t{1} << (width - 1)) {
    powers_[0] = top_ >> 1;  // x^1
    for (size_t k = 1; k < powers_.size(); ++k) powers_[k] = Multiply(powers_[k - 1], powers_[k - 1]);
  }

  uint64_t Multiply(uint64_t a, uint64_t b) const {
    uint64_t product = 0;
    for (uint64_t m = top_; m != 0; m >>= 1) {
      if (a & m) {
        product ^= b;
        if ((a & (m - 1)) == 0) break;
      }
      b = (b & 1) ? (b >> 1) ^ polynomial_ : b >> 1;
    }
    return product;
  }

  // x^(8 * bytes): appending that many bytes multiplies a CRC by it.
  uint64_t ShiftBytes(uint64_t bytes) const {
    uint64_t p = top_;  // x^0
    for (size_t k = 3; bytes != 0; bytes >>= 1, ++k) {
      if (bytes & 1) p = Multiply(powers_[k % powers_.size()], p);
    }
    return p;
  }

 private:
  uint64_t polynomial_;
  uint64_t top_;
  std::array<uint64_t, 64> powers_{};  // x^(2^k)
};

}  // namespace

struct Checksummer::Digest {
  explicit Digest(const EVP_MD* md) : context(EVP_MD_CTX_new()) {
    if (!context || EVP_DigestInit_ex(context, md, nullptr) != 1) throw Internal("digest init failed");
  }
  ~Digest() { EVP_MD_CTX_free(context); }
  EVP_MD_CTX* context;
};

std::string_view ChecksumName(ChecksumAlgorithm algorithm) {
  return InfoOf(algorithm).name;
}

std::string ChecksumHeaderSuffix(ChecksumAlgorithm algorithm) {
  std::string out(ChecksumName(algorithm));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  for (const auto& info : kAlgorithms) {
    if (EqualsIgnoreCase(info.name, name)) return info.algorithm;
  }
  return std::nullopt;
}

size_t ChecksumBytes(ChecksumAlgorithm algorithm) {
  return InfoOf(algorithm).bytes;
}

bool IsCrc(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::kCrc32 || algorithm == ChecksumAlgorithm::kCrc32c ||
         algorithm == ChecksumAlgorithm::kCrc64Nvme;
}

std::string_view ChecksumTypeName(ChecksumType type) {
  return type == ChecksumType::kFullObject ? "FULL_OBJECT" : "COMPOSITE";
}

std::optional<ChecksumType> ParseChecksumType(std::string_view name) {
  if (EqualsIgnoreCase(name, "FULL_OBJECT")) return ChecksumType::kFullObject;
  if (EqualsIgnoreCase(name, "COMPOSITE")) return ChecksumType::kComposite;
  return std::nullopt;
}

ChecksumType DefaultChecksumType(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::kCrc64Nvme ? ChecksumType::kFullObject : ChecksumType::kComposite;
}

bool ChecksumTypeAllowed(ChecksumAlgorithm algorithm, ChecksumType type) {
  return type == ChecksumType::kFullObject ? IsCrc(algorithm) : algorithm != ChecksumAlgorithm::kCrc64Nvme;
}

Checksummer::Checksummer(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
  if (algorithm == ChecksumAlgorithm::kSha1) digest_ = std::make_unique<Digest>(EVP_sha1());
  if (algorithm == ChecksumAlgorithm::kSha256) digest_ = std::make_unique<Digest>(EVP_sha256());
}

Checksummer::~Checksummer() = default;

void Checksummer::Update(const char* data, size_t size) {
  if (digest_) {
    if (EVP_DigestUpdate(digest_->context, data, size) != 1) throw Internal("digest failed");
    return;
  }
  crc_ = CrcUpdate(algorithm_, crc_, reinterpret_cast<const unsigned char*>(data), size);
}

std::string Checksummer::Finish() {
  if (!digest_) return CrcBytes(crc_, ChecksumBytes(algorithm_));
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(digest_->context, out, &length) != 1) throw Internal("digest failed");
  return std::string(reinterpret_cast<char*>(out), length);
}

std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data) {
  Checksummer checksummer(algorithm);
  checksummer.Update(data.data(), data.size());
  return checksummer.Finish();
}

std::string CombineCrc(ChecksumAlgorithm algorithm, std::string_view crc_a, std::string_view crc_b,
                       uint64_t length_b) {
  if (!IsCrc(algorithm)) throw Internal("only CRCs combine");
  size_t bytes = ChecksumBytes(algorithm);
  // Built once per algorithm: the powers table costs 64 multiplications.
  static const CrcField fields[] = {CrcField(ReflectedPolynomial(ChecksumAlgorithm::kCrc32), 32),
                                    CrcField(ReflectedPolynomial(ChecksumAlgorithm::kCrc32c), 32),
                                    CrcField(ReflectedPolynomial(ChecksumAlgorithm::kCrc64Nvme), 64)};
  const CrcField& field = fields[static_cast<size_t>(algorithm)];
  uint64_t combined =
      field.Multiply(field.ShiftBytes(length_b), CrcValue(crc_a, bytes)) ^ CrcValue(crc_b, bytes);
  return CrcBytes(combined, bytes);
}

std::string CompositeChecksum(ChecksumAlgorithm algorithm, const std::vector<std::string>& part_checksums) {
  Checksummer checksummer(algorithm);
  for (const auto& part : part_checksums) checksummer.Update(part.data(), part.size());
  return checksummer.Finish();
}

std::optional<std::string> DecodeChecksum(ChecksumAlgorithm algorithm, std::string_view base64) {
  auto raw = Base64Decode(base64);
  if (!raw || raw->size() != ChecksumBytes(algorithm)) return std::nullopt;
  return raw;
}

}  // namespace duckstore
