// SPDX-License-Identifier: Apache-2.0
// What is at a path that no reader accepted, for error messages ("a text file", "a TF graph:
// its variables are in ...", "No such file or directory"), and which checkpoints a directory
// holds. Used by the format registry (registry.h) only after every reader declined.
#pragma once

#include <string>
#include <vector>

namespace rescope {

// Checkpoints directly inside `dir` (no recursion), each as the path to open: TF bundle
// prefixes (`P` for every `P.index`), index JSONs (`*.safetensors.index.json`,
// `*.bin.index.json`), and files whose content is safetensors, Keras/HDF5 or PyTorch, except
// `-NNNNN-of-NNNNN` shards when an index in the directory can open them. Sorted.
std::vector<std::string> CheckpointsInDirectory(const std::string& dir);

// One phrase saying what `path` is, starting with the path: "notes.txt: a text file (3
// lines)", "/x/model.ckpt: No such file or directory (/x does not exist)",
// "m.ckpt.meta: a TF MetaGraph: graphs are not checkpoints; their variables are in m.ckpt".
std::string DescribeNonCheckpoint(const std::string& path);

}  // namespace rescope
