// SPDX-License-Identifier: Apache-2.0
#include "formats/sha256.h"

#include <nettle/sha2.h>

namespace rescope {

Sha256::Sha256() : ctx_(std::make_unique<sha256_ctx>()) { sha256_init(ctx_.get()); }

Sha256::~Sha256() = default;

void Sha256::Update(const uint8_t* data, size_t n) {
  if (n > 0) sha256_update(ctx_.get(), n, data);
}

std::string Sha256::HexDigest() {
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(ctx_.get(), sizeof(digest), digest);  // also resets the state
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof(digest));
  for (uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace rescope
