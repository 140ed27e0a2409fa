// SPDX-License-Identifier: Apache-2.0
#include "formats/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace rescope {
namespace {

// Fetched once: an explicit fetch avoids OpenSSL 3's per-init implicit provider lookup.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

EVP_MD_CTX* Ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }

// libcrypto fails here only on allocation failure or a broken installation; a digest that
// silently went wrong would be worse than stopping.
void Require(int ok, const char* what) {
  if (ok != 1) {
    std::fprintf(stderr, "rescope: fatal: libcrypto %s failed\n", what);
    std::abort();
  }
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  Require(ctx_ != nullptr, "EVP_MD_CTX_new");
  Require(EVP_DigestInit_ex(Ctx(ctx_), Sha256Md(), nullptr), "SHA-256 init");
}

Sha256::~Sha256() { EVP_MD_CTX_free(Ctx(ctx_)); }

void Sha256::Update(const uint8_t* data, size_t n) {
  if (n > 0) Require(EVP_DigestUpdate(Ctx(ctx_), data, n), "SHA-256 update");
}

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Require(EVP_DigestFinal_ex(Ctx(ctx_), digest, &len), "SHA-256 final");
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  Require(EVP_DigestInit_ex(Ctx(ctx_), Sha256Md(), nullptr), "SHA-256 init");
  return out;
}

}  // namespace rescope
