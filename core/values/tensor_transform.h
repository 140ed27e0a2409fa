// SPDX-License-Identifier: Apache-2.0
// Value transforms applied to tensors while their bytes stream: axis permutations, the
// layout change between frameworks (a TF dense kernel [in, out] is a PyTorch linear weight
// [out, in]; conv kernels HWIO vs OIHW).
//
// A permutation `perm` of rank n gives output axis i the input axis perm[i]: output shape
// [shape[perm[0]], ..., shape[perm[n-1]]], and output element (i0, ..., in-1) is the input
// element whose index along axis perm[k] is ik (numpy's `x.transpose(perm)`, then made
// contiguous). A transpose of a matrix is perm {1, 0}.
//
// Transforms never materialise the whole checkpoint: the permuted entry's data is a
// ByteSource that gathers the requested window on demand. Tensors up to kPermuteCacheBytes
// are read once into memory on first use (random access into the source would otherwise
// cost one read per element on compressed HDF5 datasets) and released when a read reaches
// the tensor's end, so memory stays bounded by the largest such tensor, not the checkpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

inline constexpr uint64_t kPermuteCacheBytes = uint64_t{64} << 20;

// True if any entry of `store` has bytes_transformed set: its writer must stream values,
// not copy the source's records or data shards.
bool AnyBytesTransformed(const TensorStore& store);

// "[1, 0]"
std::string PermutationToString(const std::vector<int>& perm);

// Why `perm` cannot be applied to `entry` ("transpose needs a 2-D tensor, found shape [3]";
// "strings cannot be permuted"; ...), or nullopt when it can. A permutation of rank 0 or 1
// that changes nothing is still only accepted on a tensor of that rank.
std::optional<std::string> WhyNotPermutable(const TensorEntry& entry, const std::vector<int>& perm);

// The entry with its axes permuted: shape permuted, data a gathering ByteSource (data_offset
// 0), stored_crc32c cleared (the bytes differ from any stored checksum), bytes_transformed
// set, and a ("transform", "permute [1, 0] from [768, 3072]") note. The identity
// permutation returns the entry unchanged. Errors (kInvalidArgument) are WhyNotPermutable's
// reason, prefixed with the entry's name. `cache_limit` (tests) overrides kPermuteCacheBytes.
Result<TensorEntry> PermuteEntry(const TensorEntry& entry, const std::vector<int>& perm,
                                 uint64_t cache_limit = kPermuteCacheBytes);

}  // namespace rescope
