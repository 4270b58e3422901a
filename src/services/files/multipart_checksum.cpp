#include "duckstore/services/files/multipart_checksum.hpp"

#include <algorithm>
#include <fstream>
#include <vector>

#include "duckstore/common/checksum.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

ChecksumAlgorithm AlgorithmNamed(const std::string& name) {
  auto algorithm = ParseChecksumAlgorithm(name);
  if (!algorithm) {
    throw InvalidArgument("invalid_request", "Checksum algorithm provided is unsupported: " + name,
                          {{"ArgumentName", "x-amz-checksum-algorithm"}, {"ArgumentValue", name}});
  }
  return *algorithm;
}

std::string RawOf(ChecksumAlgorithm algorithm, const UploadPart& part) {
  auto raw = DecodeChecksum(algorithm, part.checksum.value);
  if (!raw) throw Internal("part " + std::to_string(part.part_number) + " has a malformed stored checksum");
  return *raw;
}

}  // namespace

StoredChecksum DeclaredUploadChecksum(const std::string& algorithm, const std::string& type) {
  if (algorithm.empty()) {
    if (!type.empty()) {
      throw InvalidArgument("invalid_request", "x-amz-checksum-type requires x-amz-checksum-algorithm",
                            {{"ArgumentName", "x-amz-checksum-type"}, {"ArgumentValue", type}});
    }
    return {};
  }
  ChecksumAlgorithm declared = AlgorithmNamed(algorithm);
  ChecksumType kind = DefaultChecksumType(declared);
  if (!type.empty()) {
    auto parsed = ParseChecksumType(type);
    if (!parsed) {
      throw InvalidArgument("invalid_request", "Value for x-amz-checksum-type header is invalid.",
                            {{"ArgumentName", "x-amz-checksum-type"}, {"ArgumentValue", type}});
    }
    kind = *parsed;
  }
  if (!ChecksumTypeAllowed(declared, kind)) {
    throw InvalidArgument("invalid_request", "The " + std::string(ChecksumTypeName(kind)) +
                                                 " checksum type cannot be used with the " +
                                                 std::string(ChecksumName(declared)) +
                                                 " checksum algorithm.");
  }
  return {std::string(ChecksumName(declared)), std::string(ChecksumTypeName(kind)), ""};
}

StoredChecksum CompletedObjectChecksum(const StoredChecksum& declared,
                                       const std::vector<const UploadPart*>& parts,
                                       const std::vector<StoredChecksum>& listed) {
  for (size_t i = 0; i < parts.size() && i < listed.size(); ++i) {
    const StoredChecksum& named = listed[i];
    if (named.value.empty()) continue;
    if (named.algorithm != parts[i]->checksum.algorithm || named.value != parts[i]->checksum.value) {
      std::string number = std::to_string(parts[i]->part_number);
      throw InvalidArgument("invalid_part",
                            "the checksum of part " + number + " does not match the uploaded part",
                            {{"PartNumber", number}});
    }
  }
  if (declared.algorithm.empty()) return {};
  ChecksumAlgorithm algorithm = AlgorithmNamed(declared.algorithm);
  std::vector<std::string> raws;
  for (const UploadPart* part : parts) {
    if (part->checksum.algorithm != declared.algorithm) {
      std::string number = std::to_string(part->part_number);
      throw InvalidArgument("invalid_part",
                            "part " + number + " has no " + declared.algorithm +
                                " checksum, the algorithm the multipart upload was created with",
                            {{"PartNumber", number}});
    }
    raws.push_back(RawOf(algorithm, *part));
  }
  if (declared.type == ChecksumTypeName(ChecksumType::kFullObject)) {
    std::string whole = raws.front();
    for (size_t i = 1; i < raws.size(); ++i) {
      whole = CombineCrc(algorithm, whole, raws[i], static_cast<uint64_t>(parts[i]->size));
    }
    return {declared.algorithm, declared.type, Base64Encode(whole)};
  }
  return {declared.algorithm, declared.type,
          Base64Encode(CompositeChecksum(algorithm, raws)) + "-" + std::to_string(parts.size())};
}

std::string FileRangeChecksum(const std::string& algorithm, const std::vector<BlobRange>& ranges) {
  Checksummer checksummer(AlgorithmNamed(algorithm));
  std::vector<char> buffer(1 << 20);
  for (const BlobRange& range : ranges) {
    std::ifstream in(range.path, std::ios::binary);
    if (!in) throw NotFound("blob_missing", "the content of the copy source is gone");
    in.seekg(static_cast<std::streamoff>(range.offset));
    uint64_t length = range.length;
    while (length > 0) {
      auto want = static_cast<std::streamsize>(std::min<uint64_t>(length, buffer.size()));
      in.read(buffer.data(), want);
      if (in.gcount() != want) throw Internal("the copy source is shorter than its recorded size");
      checksummer.Update(buffer.data(), static_cast<size_t>(want));
      length -= static_cast<uint64_t>(want);
    }
  }
  return Base64Encode(checksummer.Finish());
}

}  // namespace duckstore
