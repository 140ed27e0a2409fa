# needs: real
# Google's TF1 run_pretraining checkpoint (bert_config.json: hidden 4, intermediate 16,
# vocab 15) to a Hugging Face BertForPreTraining safetensors file with the shipped map.
# Kernels come out transposed to PyTorch's [out, in] (intermediate [16, 4], output [4, 16];
# the query weight shown last is the query kernel shown before it, rows and columns
# swapped), the 92 Adam slots and global_step are left behind (139 - 93 = 46 tensors), and
# cls/seq_relationship/output_weights keeps its [2, 4]. diff applies the same map to the
# TF side: all 46 tensors equal.
ckpt="$REAL/keras-bert-google-run-pretraining-tf1_11-tiny-ckpt/bert_model.ckpt"
map=maps/bert/tf1-to-hf-bertforpretraining.json
$RESCOPE convert "$ckpt" "$TMP/bert.safetensors" --map $map >"$TMP/out"
echo "exit $?"
sed "s|$TMP|TMP|g" "$TMP/out"
$RESCOPE ls "$TMP/bert.safetensors" --filter 'bert.encoder.layer.1.*'
$RESCOPE ls "$TMP/bert.safetensors" --filter 'cls.*'
$RESCOPE show "$ckpt" bert/encoder/layer_0/attention/self/query/kernel
$RESCOPE show "$TMP/bert.safetensors" bert.encoder.layer.0.attention.self.query.weight
$RESCOPE diff "$ckpt" "$TMP/bert.safetensors" --map $map --values
echo "exit $?"
