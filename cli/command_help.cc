// SPDX-License-Identifier: Apache-2.0
#include "cli/command_help.h"

#include <array>
#include <utility>

namespace rescope::cli {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kExamples = {{
    {"ls",
     "  rescope ls model.ckpt                      names, dtypes, shapes, sizes\n"
     "  rescope ls model.ckpt --tree               scopes with per-scope totals\n"
     "  rescope ls model.safetensors --json > m.json   a manifest for `check --expect`\n"},
    {"info",
     "  rescope info model.ckpt                    format, shards, counts, bytes\n"
     "  rescope info train_dir/ --step 1000        one step of a training directory\n"},
    {"show",
     "  rescope show model.ckpt dense/kernel       values, summarized\n"
     "  rescope show model.ckpt dense/kernel --stats   min, max, mean, NaN/Inf counts\n"
     "  rescope show model.pt fc.weight --json     values as JSON, row-major\n"},
    {"verify",
     "  rescope verify model.ckpt                  sizes, offsets and stored checksums\n"
     "  rescope verify pytorch_model.bin --json\n"
     "  rescope verify model.safetensors --manifest m.json   per-tensor SHA-256 check\n"},
    {"hash",
     "  rescope hash model.safetensors -o m.json   per-tensor and per-file SHA-256\n"
     "  rescope hash model.ckpt -j 4               manifest to stdout, 4 threads\n"},
    {"rename",
     "  rescope rename old.ckpt --rule model_1/=model_3/ -o new.ckpt\n"
     "  rescope rename old.ckpt --map m.json --dry-run   show the plan, write nothing\n"
     "  rescope rename model.safetensors --rule fc1.=dense1. -o out.safetensors\n"
     "  rescope rename m.gguf -o out.gguf --set general.name=tiny --delete-key general.url\n"},
    {"diff",
     "  rescope diff a.ckpt b.ckpt                 names, dtypes, shapes\n"
     "  rescope diff a.ckpt b.ckpt --values --atol 1e-6\n"
     "  rescope diff old.ckpt new.ckpt --rule model_1/=model_3/ --values\n"},
    {"check",
     "  rescope check old.ckpt --expect new.ckpt   will it restore into the new model?\n"
     "  rescope check old.ckpt --expect manifest.json --suggest-map m.json\n"
     "  rescope check old.ckpt --expect new.ckpt --model-only   weights only\n"},
    {"convert",
     "  rescope convert model.ckpt model.safetensors\n"
     "  rescope convert model.ckpt out/pytorch_model.bin --max-shard-size 2GB\n"
     "  rescope convert model.h5 model.ckpt --to tf_bundle\n"
     "  rescope convert model.safetensors model.gguf --set general.architecture:string=llama\n"},
    {"recover",
     "  rescope recover train_dir/                 after a killed `rename --in-place`\n"},
    {"maps",
     "  rescope maps list                          shipped maps and what they do\n"
     "  rescope maps show dataparallel/strip-module > my-map.json\n"
     "  rescope convert dp.pt model.safetensors --map dataparallel/strip-module\n"},
    {"completions",
     "  source <(rescope completions bash)         completion in this bash session\n"
     "  rescope completions fish > ~/.config/fish/completions/rescope.fish\n"},
}};

}  // namespace

std::string CommandExamples(std::string_view command) {
  for (const auto& [name, text] : kExamples) {
    if (name == command) {
      return "\nExamples:\n" + std::string(text) + "\nSee rescope(1) for every option.\n";
    }
  }
  return "";
}

}  // namespace rescope::cli
