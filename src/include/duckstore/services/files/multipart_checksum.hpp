// S3 checksums of multipart uploads (docs/design/s3.md, "Checksums"): the algorithm and type an upload
// declares, and the completed object's checksum derived from its parts' without reading the content again:
// FULL_OBJECT combines the parts' CRCs (CombineCrc), COMPOSITE is the checksum of the concatenated raw part
// checksums, written "<base64>-<part count>". Values are base64 as S3 sends them (StoredChecksum).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

// What an upload declares from S3's x-amz-checksum-algorithm and x-amz-checksum-type (empty: not sent;
// case-insensitive): names in S3's spelling, the type defaulted as S3 does (DefaultChecksumType). Throws
// invalid_request for an unknown name, a type without an algorithm, or a pair S3 refuses (CRC64NVME
// COMPOSITE, SHA1/SHA256 FULL_OBJECT).
StoredChecksum DeclaredUploadChecksum(const std::string& algorithm, const std::string& type);

// The completed object's checksum from its `parts`, in order, under the upload's `declared` algorithm and
// type (an empty algorithm: the object gets none). Every part must carry a checksum of that algorithm, and
// `listed[i]`, what the Complete request names for part i (empty value: nothing), must be that part's:
// invalid_part otherwise.
StoredChecksum CompletedObjectChecksum(const StoredChecksum& declared,
                                       const std::vector<const UploadPart*>& parts,
                                       const std::vector<StoredChecksum>& listed);

// The base64 checksum with `algorithm` (S3's name) of the content of `ranges` in order (a copied part).
// kNotFound("blob_missing") when a file is gone, kInternal when one is shorter.
std::string FileRangeChecksum(const std::string& algorithm, const std::vector<BlobRange>& ranges);

}  // namespace duckstore
