// CRC-64/NVME (the CRC64NVME of S3 checksums): width 64, polynomial 0xad93d23594c93659, reflected, initial
// value and final XOR all ones; check value of "123456789" 0xae8b14860a799888. No Debian library provides
// it (ISA-L 2.30 has the ECMA, ISO and Jones polynomials only), so it is computed here, slicing by 8 bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace duckstore {

inline constexpr uint64_t kCrc64NvmeReflectedPolynomial = 0x9a6c9329ac4bc9b5ull;

// Continues `crc` (the finished CRC of the content before, 0 for none) over `size` bytes, zlib style.
uint64_t Crc64NvmeUpdate(uint64_t crc, const unsigned char* data, size_t size);

}  // namespace duckstore
