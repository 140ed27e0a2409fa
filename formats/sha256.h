// SPDX-License-Identifier: Apache-2.0
// Streaming SHA-256 through Nettle (Debian nettle-dev). Linking libcrypto instead bound
// 3,380 symbols at every start (it is linked with -z now), more than the rest of
// `rescope --version` costs; Nettle binds a few hundred (bench/README.md, start-up). Debian
// builds Nettle "fat", so it uses the CPU's SHA instructions where there are some.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

struct sha256_ctx;  // Nettle's state, kept out of this header

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
  std::unique_ptr<sha256_ctx> ctx_;
};

}  // namespace rescope
