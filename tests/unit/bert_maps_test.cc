// SPDX-License-Identifier: Apache-2.0
// Tests of the rename maps shipped under maps/ (Google TF1 BERT -> Hugging Face, and the
// DataParallel `module.` prefix) on real checkpoints: renamed key sets against real
// PyTorch state_dicts, renamed shapes against the TF checkpoint's own bert_config.json.
//
// Expected shapes are derived here from the Hugging Face module definitions (nn.Embedding
// weight [num, dim], nn.Linear(in, out) weight [out, in] and bias [out], LayerNorm [dim],
// the MLM head's bias [vocab], the NSP head Linear(hidden, 2)) and a BERT config; that
// derivation is itself checked against the real torch-written BertForPreTraining and
// BertModel files before it is trusted for the TF conversion.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/rename/rename_plan.h"
#include "core/rename/rename_rules.h"
#include "formats/registry.h"

using namespace rescope;
namespace fs = std::filesystem;

namespace {

using Shape = std::vector<int64_t>;
using KeySet = std::set<std::string>;

const fs::path kRealDir = RESCOPE_TESTDATA_DIR;
const fs::path kTorchDir = RESCOPE_TORCH_TESTDATA_DIR;
const fs::path kSourceDir = RESCOPE_SOURCE_DIR;

constexpr const char* kTfTiny = "keras-bert-google-run-pretraining-tf1_11-tiny-ckpt";
constexpr const char* kKnowbert = "knowbert-ppb-bertforpretraining-legacy-pt";
constexpr const char* kCamphr = "camphr-transformers2_4-bertmodel-legacy-pt";
constexpr const char* kChinese = "google-bert-chinese-base-release-index-only";
constexpr const char* kPreTrainingMap = "maps/bert/tf1-to-hf-bertforpretraining.json";
constexpr const char* kBertModelMap = "maps/bert/tf1-to-hf-bertmodel.json";
constexpr const char* kTiedDecoder = "cls.predictions.decoder.weight";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A map under maps/, parsed with the name it has in the repository.
RenameMap LoadMap(const std::string& rel) {
  auto map = RenameMap::ParseJson(ReadText(kSourceDir / rel), rel);
  REQUIRE_MESSAGE(map.ok(), map.status().message());
  CHECK(map->warnings().empty());
  return std::move(map).value();
}

// Opens `dir`/`folder`/`file` (a file or a TF prefix), or returns nullopt with a visible
// skip message when the folder is absent.
std::optional<Checkpoint> OpenIfPresent(const fs::path& dir, const std::string& folder,
                                        const std::string& file = "") {
  if (!fs::exists(dir / folder)) {
    MESSAGE("skipped: " << (dir / folder).string() << " not found");
    return std::nullopt;
  }
  auto ckpt = OpenCheckpoint((file.empty() ? dir / folder : dir / folder / file).string());
  REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
  return std::move(ckpt).value();
}

KeySet Keys(const TensorStore& store) {
  const std::vector<std::string> names = RenamableNames(store);
  return KeySet(names.begin(), names.end());
}

// Reports each side's extra keys, so a failing comparison says what differs.
void CheckSameKeys(const KeySet& got, const KeySet& want) {
  for (const std::string& k : got) CHECK_MESSAGE(want.count(k) == 1, "unexpected key " << k);
  for (const std::string& k : want) CHECK_MESSAGE(got.count(k) == 1, "missing key " << k);
  CHECK(got.size() == want.size());
}

struct BertConfig {
  int64_t hidden = 0, intermediate = 0, vocab = 0, max_positions = 0, type_vocab = 0;
  int64_t layers = 0;
};

BertConfig ReadConfig(const fs::path& path) {
  const auto j = nlohmann::json::parse(ReadText(path));
  BertConfig c;
  c.hidden = j.at("hidden_size").get<int64_t>();
  c.intermediate = j.at("intermediate_size").get<int64_t>();
  c.vocab = j.at("vocab_size").get<int64_t>();
  c.max_positions = j.at("max_position_embeddings").get<int64_t>();
  c.type_vocab = j.at("type_vocab_size").get<int64_t>();
  c.layers = j.at("num_hidden_layers").get<int64_t>();
  return c;
}

// The Hugging Face parameter names and PyTorch-layout shapes of a BertModel
// (`prefix` "" ) or of the encoder inside BertForPreTraining (`prefix` "bert.", plus the
// cls.* heads when `heads`), from the module definitions in modeling_bert.py.
std::map<std::string, Shape> HfParameters(const BertConfig& c, const std::string& prefix,
                                          bool heads) {
  const int64_t h = c.hidden, i = c.intermediate, v = c.vocab;
  std::map<std::string, Shape> p;
  const std::string emb = prefix + "embeddings.";
  p[emb + "word_embeddings.weight"] = {v, h};
  p[emb + "position_embeddings.weight"] = {c.max_positions, h};
  p[emb + "token_type_embeddings.weight"] = {c.type_vocab, h};
  p[emb + "LayerNorm.weight"] = {h};
  p[emb + "LayerNorm.bias"] = {h};
  for (int64_t n = 0; n < c.layers; ++n) {
    const std::string l = prefix + "encoder.layer." + std::to_string(n) + ".";
    for (const char* qkv : {"query", "key", "value"}) {
      p[l + "attention.self." + qkv + ".weight"] = {h, h};
      p[l + "attention.self." + qkv + ".bias"] = {h};
    }
    p[l + "attention.output.dense.weight"] = {h, h};
    p[l + "attention.output.dense.bias"] = {h};
    p[l + "attention.output.LayerNorm.weight"] = {h};
    p[l + "attention.output.LayerNorm.bias"] = {h};
    p[l + "intermediate.dense.weight"] = {i, h};  // Linear(hidden, intermediate)
    p[l + "intermediate.dense.bias"] = {i};
    p[l + "output.dense.weight"] = {h, i};  // Linear(intermediate, hidden)
    p[l + "output.dense.bias"] = {h};
    p[l + "output.LayerNorm.weight"] = {h};
    p[l + "output.LayerNorm.bias"] = {h};
  }
  p[prefix + "pooler.dense.weight"] = {h, h};
  p[prefix + "pooler.dense.bias"] = {h};
  if (heads) {
    p["cls.predictions.transform.dense.weight"] = {h, h};
    p["cls.predictions.transform.dense.bias"] = {h};
    p["cls.predictions.transform.LayerNorm.weight"] = {h};
    p["cls.predictions.transform.LayerNorm.bias"] = {h};
    p["cls.predictions.bias"] = {v};
    p[kTiedDecoder] = {v, h};  // Linear(hidden, vocab), tied to the word embeddings
    p["cls.seq_relationship.weight"] = {2, h};
    p["cls.seq_relationship.bias"] = {2};
  }
  return p;
}

KeySet KeysOf(const std::map<std::string, Shape>& params) {
  KeySet keys;
  for (const auto& [name, shape] : params) keys.insert(name);
  return keys;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// What a plan must drop from a Google run_pretraining checkpoint: the
// AdamWeightDecayOptimizer slots and the step counter (plus cls/* for BertModel).
bool ShouldDrop(const std::string& tf_name, bool drop_heads) {
  if (EndsWith(tf_name, "/adam_m") || EndsWith(tf_name, "/adam_v")) return true;
  if (tf_name == "global_step") return true;
  return drop_heads && tf_name.rfind("cls/", 0) == 0;
}

std::string ShapeText(const Shape& shape) {
  std::string out = "[";
  for (size_t k = 0; k < shape.size(); ++k) out += (k ? "," : "") + std::to_string(shape[k]);
  return out + "]";
}

Shape Permuted(const Shape& shape, const std::optional<std::vector<int>>& perm) {
  if (!perm) return shape;
  REQUIRE(perm->size() == shape.size());
  Shape out;
  for (int axis : *perm) out.push_back(shape[static_cast<size_t>(axis)]);
  return out;
}

// Checks how the plan treats the map's rules. With `strict` (a checkpoint with Adam
// slots) every rule must match a variable; without (a released checkpoint), exactly the
// slot and step drop rules match nothing. Every variable must be matched either way.
void CheckRuleUse(const RenamePlan& plan, const std::string& map_rel, bool strict) {
  for (const std::string& e : plan.errors) MESSAGE(e);
  REQUIRE(plan.ok());
  CHECK(plan.unchanged.empty());
  if (strict) {
    CHECK(plan.unmatched_rules.empty());
    CHECK(plan.warnings.empty());
    return;
  }
  // The first three rules drop */adam_m, */adam_v and global_step.
  CHECK(plan.unmatched_rules == std::vector<size_t>{0, 1, 2});
  REQUIRE(plan.warnings.size() == 3);
  CHECK(plan.warnings[2] ==
        map_rel + ": rule #3 ({\"name\":\"global_step\",\"drop\":true}): matched no variable");
}

// Checks one renamed TF variable: transposed exactly when it is a `kernel`, and shaped as
// `want` says after the rule's permutation.
void CheckRenamedTensor(const TensorEntry& entry, const RenameRule& rule,
                        const std::string& new_name, const std::map<std::string, Shape>& want) {
  CAPTURE(entry.name);
  // load_tf_weights_in_bert transposes exactly the leaves named `kernel`; embeddings
  // and cls/seq_relationship/output_weights ([2, hidden]) are stored as PyTorch wants.
  if (EndsWith(entry.name, "/kernel")) {
    CHECK((rule.permute && *rule.permute == std::vector<int>{1, 0}));
  } else {
    CHECK(!rule.permute);
  }
  CHECK(entry.dtype == DType::kFloat32);
  const auto it = want.find(new_name);
  REQUIRE_MESSAGE(it != want.end(), "unexpected new name " << new_name);
  const Shape got = Permuted(entry.shape, rule.permute);
  CHECK_MESSAGE(got == it->second,
                new_name << ": " << ShapeText(got) << " vs " << ShapeText(it->second));
}

// Plans `map_rel` over the TF checkpoint `tf` (strict when it `has_slots`) and checks the
// result against the Hugging Face parameters implied by the checkpoint's own
// bert_config.json (`prefix` and `heads` as for HfParameters). Returns the renamed keys.
KeySet CheckTfConversion(const Checkpoint& tf, const fs::path& config_path,
                         const std::string& map_rel, const std::string& prefix, bool heads,
                         bool has_slots = true) {
  const RenameMap map = LoadMap(map_rel);
  PlanOptions options;
  options.strict = has_slots;
  const std::vector<std::string> names = RenamableNames(tf.store);
  const RenamePlan plan = PlanRename(names, map, options);
  CheckRuleUse(plan, map_rel, has_slots);

  std::map<std::string, Shape> want = HfParameters(ReadConfig(config_path), prefix, heads);
  want.erase(kTiedDecoder);  // not in the TF file: HF ties it to the word embeddings
  KeySet renamed;
  for (const std::string& old : names) {
    const RenameChange* change = plan.FindChange(old);
    REQUIRE_MESSAGE(change != nullptr, old);
    CHECK_MESSAGE(change->dropped == ShouldDrop(old, !heads), old);
    if (change->dropped) continue;
    renamed.insert(change->new_name);
    REQUIRE(change->rule_index >= 0);
    const TensorEntry* entry = tf.store.Find(old);
    REQUIRE(entry != nullptr);
    CheckRenamedTensor(*entry, map.rules()[static_cast<size_t>(change->rule_index)],
                       change->new_name, want);
  }
  CheckSameKeys(renamed, KeysOf(want));
  return renamed;
}

}  // namespace

TEST_CASE("bert maps: the HF shape derivation matches real torch-written BERT files") {
  const auto knowbert = OpenIfPresent(kRealDir, kKnowbert, "pytorch_model.bin");
  const auto camphr = OpenIfPresent(kRealDir, kCamphr, "pytorch_model.bin");
  if (!knowbert || !camphr) return;
  const struct {
    const Checkpoint* ckpt;
    fs::path config;
    const char* prefix;
    bool heads;
    size_t keys;  // PROVENANCE.md
  } cases[] = {
      {&*knowbert, kRealDir / kKnowbert / "bert_config.json", "bert.", true, 47},
      {&*camphr, kRealDir / kCamphr / "config.json", "", false, 39},
  };
  for (const auto& c : cases) {
    CAPTURE(c.config.string());
    const auto want = HfParameters(ReadConfig(c.config), c.prefix, c.heads);
    CHECK(want.size() == c.keys);
    CheckSameKeys(Keys(c.ckpt->store), KeysOf(want));
    for (const auto& [name, shape] : want) {
      const TensorEntry* e = c.ckpt->store.Find(name);
      REQUIRE_MESSAGE(e != nullptr, name);
      CHECK_MESSAGE(e->shape == shape,
                    name << ": " << ShapeText(e->shape) << " vs " << ShapeText(shape));
    }
  }
}

TEST_CASE("bert maps: TF1 run_pretraining checkpoint -> BertForPreTraining key set") {
  const auto tf = OpenIfPresent(kRealDir, kTfTiny, "bert_model.ckpt");
  const auto knowbert = OpenIfPresent(kRealDir, kKnowbert, "pytorch_model.bin");
  if (!tf || !knowbert) return;
  CHECK(RenamableNames(tf->store).size() == 139);  // PROVENANCE.md: 46 + 92 slots + step
  const KeySet renamed = CheckTfConversion(*tf, kRealDir / kTfTiny / "bert_config.json",
                                           kPreTrainingMap, "bert.", true);
  CHECK(renamed.size() == 46);
  KeySet want = Keys(knowbert->store);
  CHECK(want.erase(kTiedDecoder) == 1);
  CheckSameKeys(renamed, want);
}

TEST_CASE("bert maps: TF1 run_pretraining checkpoint -> BertModel key set") {
  const auto tf = OpenIfPresent(kRealDir, kTfTiny, "bert_model.ckpt");
  const auto camphr = OpenIfPresent(kRealDir, kCamphr, "pytorch_model.bin");
  if (!tf || !camphr) return;
  const KeySet renamed =
      CheckTfConversion(*tf, kRealDir / kTfTiny / "bert_config.json", kBertModelMap, "", false);
  CHECK(renamed.size() == 39);
  CheckSameKeys(renamed, Keys(camphr->store));
}

TEST_CASE("bert maps: Google's released Chinese BERT-Base names and shapes (index only)") {
  // 206 entries, no optimizer slots: 5 + 12 x 16 + 2 + 7 cls tensors (PROVENANCE.md).
  const auto tf = OpenIfPresent(kRealDir, kChinese, "bert_model.ckpt");
  if (!tf) return;
  CHECK(RenamableNames(tf->store).size() == 206);
  const fs::path config = kRealDir / kChinese / "bert_config.json";
  CHECK(CheckTfConversion(*tf, config, kPreTrainingMap, "bert.", true, false).size() == 206);
  CHECK(CheckTfConversion(*tf, config, kBertModelMap, "", false, false).size() == 199);
}

TEST_CASE("bert maps: BertModel map drops the heads by scope, not by accident") {
  const RenameMap map = LoadMap(kBertModelMap);
  auto m = map.Apply("cls/predictions/output_bias");
  REQUIRE(m.has_value());
  CHECK(m->drop);
  CHECK(map.rules()[m->rule_index].kind == RenameRule::Kind::kScope);
  m = map.Apply("bert/encoder/layer_11/output/LayerNorm/gamma");
  REQUIRE(m.has_value());
  CHECK(m->new_name == "encoder.layer.11.output.LayerNorm.weight");
  // Names a pre-training checkpoint does not have stay unmatched (strict mode reports them).
  CHECK_FALSE(map.Apply("output_weights").has_value());
  CHECK_FALSE(map.Apply("bert/encoder/layer_x/output/dense/kernel").has_value());
}

TEST_CASE("dataparallel maps: strip and add the module. prefix on torch-written files") {
  const auto dp = OpenIfPresent(kTorchDir, "dataparallel_state_dict.pt");
  const auto plain = OpenIfPresent(kTorchDir, "plain_state_dict.pt");
  if (!dp || !plain) return;
  // The torch fixtures: nn.DataParallel(TinyNet).state_dict() and TinyNet's own.
  const KeySet dp_keys = Keys(dp->store);
  const KeySet plain_keys = Keys(plain->store);
  CHECK(dp_keys.size() == 10);
  CHECK(dp_keys.count("module.bn.num_batches_tracked") == 1);
  CHECK(plain_keys.count("bn.num_batches_tracked") == 1);

  PlanOptions strict;
  strict.strict = true;
  const struct {
    const char* map;
    const Checkpoint* in;
    const KeySet* want;
  } cases[] = {
      {"maps/dataparallel/strip-module.json", &*dp, &plain_keys},
      {"maps/dataparallel/add-module.json", &*plain, &dp_keys},
  };
  for (const auto& c : cases) {
    CAPTURE(c.map);
    const RenameMap map = LoadMap(c.map);
    const RenamePlan plan = PlanRename(RenamableNames(c.in->store), map, strict);
    REQUIRE(plan.ok());
    const TensorStore out = ApplyPlan(c.in->store, plan);
    CheckSameKeys(Keys(out), *c.want);
    for (const RenameChange& change : plan.changes) {
      CHECK(!change.dropped);
      CHECK(!map.rules()[static_cast<size_t>(change.rule_index)].permute);
      CHECK(out.Find(change.new_name)->shape == c.in->store.Find(change.old_name)->shape);
    }
  }

  // Stripping a file that has no prefix is refused (the rule matches nothing); allowed, it
  // changes nothing and says the rule was unused.
  const RenameMap strip = LoadMap("maps/dataparallel/strip-module.json");
  CHECK(!PlanRename(RenamableNames(plain->store), strip, PlanOptions{}).ok());
  PlanOptions allow;
  allow.allow_unmatched = true;
  const RenamePlan noop = PlanRename(RenamableNames(plain->store), strip, allow);
  CHECK(noop.ok());
  CHECK(noop.changes.empty());
  CHECK(noop.unchanged.size() == plain_keys.size());
  REQUIRE(noop.warnings.size() == 1);
  CHECK(noop.warnings[0].find("maps/dataparallel/strip-module.json: rule #1") == 0);
  CHECK(noop.warnings[0].find("matched no variable") != std::string::npos);
}
