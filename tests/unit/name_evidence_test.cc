// SPDX-License-Identifier: Apache-2.0
// Tests of the name evidence behind suggest-map (core/name_evidence): tokens, leaf
// conventions and the layouts they imply. Expected values follow the conventions as the
// frameworks document them (a TF dense kernel is [in, out], torch.nn.Linear.weight is
// [out, in]; Keras BatchNormalization moving_mean is torch's running_mean).
#include "core/compare/name_evidence.h"

#include <doctest/doctest.h>

using namespace rescope;

TEST_CASE("name evidence: separators do not matter, words do") {
  const NameEvidence e = CompareNames("bert.encoder.layer.0.attention.self.query.bias",
                                      "bert/encoder/layer_0/attention/self/query/bias");
  CHECK(e.named);
  CHECK(!e.weak);
  CHECK(e.unmatched == 0);
  CHECK(e.leaf == LeafRelation::kEqual);
  // layer 0 vs layer 1: one token fewer matches, two more are left over.
  const NameEvidence other = CompareNames("bert.encoder.layer.0.attention.self.query.bias",
                                          "bert/encoder/layer_1/attention/self/query/bias");
  CHECK(other.matched + 1 == e.matched);
  CHECK(other.unmatched == 2);
}

TEST_CASE("name evidence: leaf conventions and their layouts") {
  const NameEvidence kw = CompareNames("fc.weight", "fc/kernel");
  CHECK(kw.leaf == LeafRelation::kKernelWeight);
  CHECK(FitShapes(kw, {16, 4}, {4, 16}) == ShapeFit::kTransposed);
  CHECK(FitShapes(kw, {4, 4}, {4, 4}) == ShapeFit::kTransposed);  // square: names decide
  CHECK(FitShapes(kw, {4, 16}, {4, 16}) == ShapeFit::kNone);      // contradicts the names
  CHECK(FitShapes(kw, {3, 3, 8, 16}, {3, 3, 8, 16}) == ShapeFit::kLayoutUnknown);

  const NameEvidence ww =
      CompareNames("cls.seq_relationship.weight", "cls/seq_relationship/output_weights");
  CHECK(ww.leaf == LeafRelation::kLayoutByShape);
  CHECK(FitShapes(ww, {2, 4}, {2, 4}) == ShapeFit::kSame);
  CHECK(FitShapes(ww, {2, 4}, {4, 2}) == ShapeFit::kTransposed);
  CHECK(FitShapes(ww, {4, 4}, {4, 4}) == ShapeFit::kLayoutUnknown);

  CHECK(CompareNames("bn.running_mean", "bn/moving_mean").leaf == LeafRelation::kSameLayoutAlias);
  CHECK(CompareNames("ln.weight", "ln/gamma").leaf == LeafRelation::kSameLayoutAlias);
  CHECK(CompareNames("ln.bias", "ln/beta").leaf == LeafRelation::kSameLayoutAlias);
  // weight and beta are different parameters: no relation, and nothing else says so.
  const NameEvidence wb = CompareNames("enc.LayerNorm.weight", "enc/LayerNorm/beta");
  CHECK(wb.leaf == LeafRelation::kNone);
  CHECK(!wb.named);
}

TEST_CASE("name evidence: containment, TF2 attribute tails, weak evidence") {
  // Google's embedding table has no leaf of its own; its whole name is in the torch name.
  const NameEvidence emb =
      CompareNames("bert.embeddings.word_embeddings.weight", "bert/embeddings/word_embeddings");
  CHECK(emb.named);
  CHECK(FitShapes(emb, {15, 4}, {15, 4}) == ShapeFit::kSame);
  // The TF2 object-graph tail is not the leaf.
  CHECK(CompareNames("dense.weight", "dense/kernel/.ATTRIBUTES/VARIABLE_VALUE").leaf ==
        LeafRelation::kKernelWeight);
  CHECK(CompareNames("old/w", "new/w").weak);
  CHECK(!CompareNames("enc/proj", "dec/table").named);
  CHECK(!CompareNames("model_1/a", "model_2/b").named);  // only the number-free word "model"
}
