// SPDX-License-Identifier: Apache-2.0
// GGML block dequantizers. Each function walks whole blocks with byte loads only (the
// source is mapped file data with no alignment) and keeps its inner loops simple so the
// compiler vectorizes them; the order of float operations is ggml's, see the header.
#include "core/values/ggml_dequant.h"

#include <bit>
#include <cstring>

namespace rescope {
namespace {

constexpr size_t kQK = 32;    // elements per block of the 32-element types (QK4_0, QK8_0...)

inline float Half(const uint8_t* p) {
  return GgmlHalfToFloat(static_cast<uint16_t>(p[0] | (p[1] << 8)));
}

// ---- 32-element blocks ----

// block_q8_0 { half d; int8 qs[32]; }: y = qs * d.
void DequantizeQ8_0(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 2 + kQK, out += kQK) {
    const float d = Half(src);
    const uint8_t* qs = src + 2;
    for (size_t j = 0; j < kQK; ++j) out[j] = static_cast<float>(static_cast<int8_t>(qs[j])) * d;
  }
}

// block_q4_0 { half d; uint8 qs[16]; }: low nibbles are elements 0..15, high 16..31;
// y = (nibble - 8) * d.
void DequantizeQ4_0(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 2 + kQK / 2, out += kQK) {
    const float d = Half(src);
    const uint8_t* qs = src + 2;
    for (size_t j = 0; j < kQK / 2; ++j) {
      out[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
      out[j + kQK / 2] = static_cast<float>((qs[j] >> 4) - 8) * d;
    }
  }
}

// block_q4_1 { half d; half m; uint8 qs[16]; }: y = nibble * d + m.
void DequantizeQ4_1(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 4 + kQK / 2, out += kQK) {
    const float d = Half(src);
    const float m = Half(src + 2);
    const uint8_t* qs = src + 4;
    for (size_t j = 0; j < kQK / 2; ++j) {
      out[j] = static_cast<float>(qs[j] & 0x0F) * d + m;
      out[j + kQK / 2] = static_cast<float>(qs[j] >> 4) * d + m;
    }
  }
}

// The fifth bits of a q5 block: bit j of the little-endian uint32 qh belongs to element j.
inline void FifthBits(const uint8_t* qh_bytes, uint8_t* high) {
  const uint32_t qh =
      static_cast<uint32_t>(qh_bytes[0]) | (static_cast<uint32_t>(qh_bytes[1]) << 8) |
      (static_cast<uint32_t>(qh_bytes[2]) << 16) | (static_cast<uint32_t>(qh_bytes[3]) << 24);
  for (size_t j = 0; j < kQK; ++j) high[j] = static_cast<uint8_t>(((qh >> j) & 1u) << 4);
}

// block_q5_0 { half d; uint8 qh[4]; uint8 qs[16]; }: y = ((nibble | bit << 4) - 16) * d.
void DequantizeQ5_0(const uint8_t* src, size_t blocks, float* out) {
  uint8_t high[kQK];
  for (size_t b = 0; b < blocks; ++b, src += 6 + kQK / 2, out += kQK) {
    const float d = Half(src);
    FifthBits(src + 2, high);
    const uint8_t* qs = src + 6;
    for (size_t j = 0; j < kQK / 2; ++j) {
      out[j] = static_cast<float>(((qs[j] & 0x0F) | high[j]) - 16) * d;
      out[j + kQK / 2] = static_cast<float>(((qs[j] >> 4) | high[j + kQK / 2]) - 16) * d;
    }
  }
}

// block_q5_1 { half d; half m; uint8 qh[4]; uint8 qs[16]; }: y = (nibble | bit << 4) * d + m.
void DequantizeQ5_1(const uint8_t* src, size_t blocks, float* out) {
  uint8_t high[kQK];
  for (size_t b = 0; b < blocks; ++b, src += 8 + kQK / 2, out += kQK) {
    const float d = Half(src);
    const float m = Half(src + 2);
    FifthBits(src + 4, high);
    const uint8_t* qs = src + 8;
    for (size_t j = 0; j < kQK / 2; ++j) {
      out[j] = static_cast<float>((qs[j] & 0x0F) | high[j]) * d + m;
      out[j + kQK / 2] = static_cast<float>((qs[j] >> 4) | high[j + kQK / 2]) * d + m;
    }
  }
}

// MXFP4's scale: an E8M0 exponent, halved because the element table holds doubled values
// (ggml_e8m0_to_fp32_half).
inline float E8M0Half(uint8_t e) {
  const uint32_t bits = e < 2 ? (uint32_t{0x00200000} << e) : (static_cast<uint32_t>(e - 1) << 23);
  return std::bit_cast<float>(bits);
}

// E2M1 values times two (kvalues_mxfp4).
constexpr int8_t kMxfp4Values[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// block_mxfp4 { uint8 e; uint8 qs[16]; }: y = kvalues[nibble] * e8m0_half(e).
void DequantizeMxfp4(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 1 + kQK / 2, out += kQK) {
    const float d = E8M0Half(src[0]);
    const uint8_t* qs = src + 1;
    for (size_t j = 0; j < kQK / 2; ++j) {
      out[j] = static_cast<float>(kMxfp4Values[qs[j] & 0x0F]) * d;
      out[j + kQK / 2] = static_cast<float>(kMxfp4Values[qs[j] >> 4]) * d;
    }
  }
}

// The non-linear 4-bit grid of iq4_nl and iq4_xs (kvalues_iq4nl).
constexpr int8_t kIq4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                   1,    13,   25,  38,  53,  69,  89,  113};

// block_iq4_nl { half d; uint8 qs[16]; }: y = d * kvalues[nibble].
void DequantizeIq4Nl(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 2 + kQK / 2, out += kQK) {
    const float d = Half(src);
    const uint8_t* qs = src + 2;
    for (size_t j = 0; j < kQK / 2; ++j) {
      out[j] = d * static_cast<float>(kIq4Values[qs[j] & 0x0F]);
      out[j + kQK / 2] = d * static_cast<float>(kIq4Values[qs[j] >> 4]);
    }
  }
}

// ---- 256-element super-blocks (k-quants) ----

// block_q2_K { uint8 scales[16]; uint8 qs[64]; half d; half dmin; }. Sixteen groups of 16;
// scales[g] holds the group's 4-bit scale (low) and 4-bit min (high);
// y = (d * scale) * q - (dmin * min) with q two bits of qs.
void DequantizeQ2_K(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 16 + 64 + 4) {
    const uint8_t* scales = src;
    const float d = Half(src + 80);
    const float dmin = Half(src + 82);
    const uint8_t* q = src + 16;
    size_t is = 0;
    for (size_t half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (size_t part = 0; part < 2; ++part, out += 16) {
          const uint8_t sc = scales[is++];
          const float dl = d * static_cast<float>(sc & 0x0F);
          const float ml = dmin * static_cast<float>(sc >> 4);
          const uint8_t* qp = q + 16 * part;
          for (size_t l = 0; l < 16; ++l) {
            out[l] = dl * static_cast<float>((qp[l] >> shift) & 3) - ml;
          }
        }
      }
    }
  }
}

// block_q3_K { uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; half d; }. Sixteen 6-bit
// signed scales (biased by 32) packed in 12 bytes; q = two low bits of qs minus 4 when
// the element's hmask bit is clear; y = (d * (scale - 32)) * q.
void DequantizeQ3_K(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 32 + 64 + 12 + 2) {
    const uint8_t* hmask = src;
    const uint8_t* q = src + 32;
    const uint8_t* packed = src + 96;
    const float d_all = Half(src + 108);
    int scales[16];
    for (size_t i = 0; i < 16; ++i) {
      const int low = i < 8 ? (packed[i] & 0x0F) : (packed[i - 8] >> 4);
      const int high = (packed[8 + i % 4] >> (2 * (i / 4))) & 3;
      scales[i] = (low | (high << 4)) - 32;
    }
    size_t is = 0;
    uint8_t m = 1;
    for (size_t half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
        for (size_t part = 0; part < 2; ++part, out += 16) {
          const float dl = d_all * static_cast<float>(scales[is++]);
          const uint8_t* qp = q + 16 * part;
          const uint8_t* hp = hmask + 16 * part;
          for (size_t l = 0; l < 16; ++l) {
            const int v = ((qp[l] >> shift) & 3) - ((hp[l] & m) != 0 ? 0 : 4);
            out[l] = dl * static_cast<float>(v);
          }
        }
      }
    }
  }
}

// The 6-bit scale and min of group j (0..7) of q4_K/q5_K (get_scale_min_k4).
inline void ScaleMinK4(size_t j, const uint8_t* q, uint8_t* sc, uint8_t* mn) {
  if (j < 4) {
    *sc = q[j] & 63;
    *mn = q[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4));
    *mn = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// block_q4_K { half d; half dmin; uint8 scales[12]; uint8 qs[128]; }. Eight groups of 32;
// each 32 bytes of qs hold two groups (low nibbles, then high nibbles);
// y = (d * scale) * q - (dmin * min).
void DequantizeQ4_K(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 4 + 12 + 128) {
    const float d = Half(src);
    const float dmin = Half(src + 2);
    const uint8_t* scales = src + 4;
    const uint8_t* q = src + 16;
    for (size_t j = 0; j < 8; j += 2, q += 32, out += 64) {
      uint8_t sc = 0, mn = 0;
      ScaleMinK4(j, scales, &sc, &mn);
      const float d1 = d * static_cast<float>(sc);
      const float m1 = dmin * static_cast<float>(mn);
      ScaleMinK4(j + 1, scales, &sc, &mn);
      const float d2 = d * static_cast<float>(sc);
      const float m2 = dmin * static_cast<float>(mn);
      for (size_t l = 0; l < 32; ++l) out[l] = d1 * static_cast<float>(q[l] & 0x0F) - m1;
      for (size_t l = 0; l < 32; ++l) out[32 + l] = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

// block_q5_K { half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]; }: q4_K
// with a fifth bit per element: bit (2 * pair) / (2 * pair + 1) of qh[l] for the low /
// high nibble of qs byte l of pair `pair`.
void DequantizeQ5_K(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 4 + 12 + 32 + 128) {
    const float d = Half(src);
    const float dmin = Half(src + 2);
    const uint8_t* scales = src + 4;
    const uint8_t* qh = src + 16;
    const uint8_t* ql = src + 48;
    unsigned u1 = 1, u2 = 2;
    for (size_t j = 0; j < 8; j += 2, ql += 32, out += 64, u1 <<= 2, u2 <<= 2) {
      uint8_t sc = 0, mn = 0;
      ScaleMinK4(j, scales, &sc, &mn);
      const float d1 = d * static_cast<float>(sc);
      const float m1 = dmin * static_cast<float>(mn);
      ScaleMinK4(j + 1, scales, &sc, &mn);
      const float d2 = d * static_cast<float>(sc);
      const float m2 = dmin * static_cast<float>(mn);
      for (size_t l = 0; l < 32; ++l) {
        const int v = (ql[l] & 0x0F) + ((qh[l] & u1) != 0 ? 16 : 0);
        out[l] = d1 * static_cast<float>(v) - m1;
      }
      for (size_t l = 0; l < 32; ++l) {
        const int v = (ql[l] >> 4) + ((qh[l] & u2) != 0 ? 16 : 0);
        out[32 + l] = d2 * static_cast<float>(v) - m2;
      }
    }
  }
}

// block_q6_K { uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d; }. Each half of the
// block (128 elements) uses 64 bytes of ql, 32 of qh and 8 scales;
// y = (d * scale) * (q - 32) with q = 4 bits of ql | 2 bits of qh << 4.
void DequantizeQ6_K(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 128 + 64 + 16 + 2) {
    const uint8_t* ql = src;
    const uint8_t* qh = src + 128;
    const uint8_t* sc = src + 192;
    const float d = Half(src + 208);
    for (size_t half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, out += 128) {
      for (size_t l = 0; l < 32; ++l) {
        const size_t is = l / 16;
        const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        out[l] = d * static_cast<float>(static_cast<int8_t>(sc[is + 0])) * static_cast<float>(q1);
        out[l + 32] =
            d * static_cast<float>(static_cast<int8_t>(sc[is + 2])) * static_cast<float>(q2);
        out[l + 64] =
            d * static_cast<float>(static_cast<int8_t>(sc[is + 4])) * static_cast<float>(q3);
        out[l + 96] =
            d * static_cast<float>(static_cast<int8_t>(sc[is + 6])) * static_cast<float>(q4);
      }
    }
  }
}

// block_iq4_xs { half d; uint16 scales_h; uint8 scales_l[4]; uint8 qs[128]; }. Eight
// groups of 32 with 6-bit scales (low 4 bits in scales_l, high 2 in scales_h, biased by
// 32); y = (d * (scale - 32)) * kvalues[nibble].
void DequantizeIq4Xs(const uint8_t* src, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b, src += 2 + 2 + 4 + 128) {
    const float d = Half(src);
    const unsigned scales_h = static_cast<unsigned>(src[2] | (src[3] << 8));
    const uint8_t* scales_l = src + 4;
    const uint8_t* qs = src + 8;
    for (size_t ib = 0; ib < 8; ++ib, qs += 16, out += 32) {
      const int ls = ((scales_l[ib / 2] >> (4 * (ib % 2))) & 0x0F) |
                     static_cast<int>(((scales_h >> (2 * ib)) & 3) << 4);
      const float dl = d * static_cast<float>(ls - 32);
      for (size_t j = 0; j < 16; ++j) {
        out[j] = dl * static_cast<float>(kIq4Values[qs[j] & 0x0F]);
        out[j + 16] = dl * static_cast<float>(kIq4Values[qs[j] >> 4]);
      }
    }
  }
}

}  // namespace

float GgmlHalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t em = h & 0x7FFFu;
  if (em >= 0x7C00u) {  // infinity or NaN: all-ones exponent, fraction kept
    return std::bit_cast<float>(sign | 0x7F800000u | ((em & 0x03FFu) << 13));
  }
  if (em >= 0x0400u) {  // normal: rebias the exponent from 15 to 127
    return std::bit_cast<float>(sign | ((em + ((127u - 15u) << 10)) << 13));
  }
  // Zero or subnormal: em * 2^-24, exact in float32.
  const float magnitude = static_cast<float>(em) * 0x1p-24f;
  return sign != 0 ? -magnitude : magnitude;
}

GgmlDequantizeFn GgmlDequantizer(DType dtype) {
  switch (dtype) {
    case DType::kGgmlQ8_0:
      return DequantizeQ8_0;
    case DType::kGgmlQ4_0:
      return DequantizeQ4_0;
    case DType::kGgmlQ4_1:
      return DequantizeQ4_1;
    case DType::kGgmlQ5_0:
      return DequantizeQ5_0;
    case DType::kGgmlQ5_1:
      return DequantizeQ5_1;
    case DType::kGgmlQ2_K:
      return DequantizeQ2_K;
    case DType::kGgmlQ3_K:
      return DequantizeQ3_K;
    case DType::kGgmlQ4_K:
      return DequantizeQ4_K;
    case DType::kGgmlQ5_K:
      return DequantizeQ5_K;
    case DType::kGgmlQ6_K:
      return DequantizeQ6_K;
    case DType::kGgmlMXFP4:
      return DequantizeMxfp4;
    case DType::kGgmlIQ4_NL:
      return DequantizeIq4Nl;
    case DType::kGgmlIQ4_XS:
      return DequantizeIq4Xs;
    default:
      return nullptr;
  }
}

}  // namespace rescope
