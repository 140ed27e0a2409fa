// SPDX-License-Identifier: Apache-2.0
// Streaming SHA-256 through OpenSSL's libcrypto (EVP). libcrypto is already loaded by
// libzip and HDF5, so hashing adds no shared library to rescope's start-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rescope {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const uint8_t* data, size_t n);
  // 64 lowercase hex digits; the object is reset for a new message afterwards.
  std::string HexDigest();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept out of the header
};

}  // namespace rescope
