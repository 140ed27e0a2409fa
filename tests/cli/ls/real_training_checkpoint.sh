# needs: real
# burn's torch >= 2.7 training checkpoint (PROVENANCE.md): {'model_state_dict': fc1/fc2,
# 'optimizer_state_dict': {'state': {'0': momentum_buffer}}, 'epoch': 42, 'loss': 0.123}.
# Listed without --lenient: its 5 tensors, and one warning naming epoch and loss.
# --select model_state_dict: the 4 model tensors under their state_dict names (shapes from
# PROVENANCE.md: fc1.weight [10,5], fc1.bias [10], fc2.weight [3,10], fc2.bias [3]).
ckpt="$REAL/burn-torch2_7-training-checkpoint-pt/checkpoint.pt"
$RESCOPE ls "$ckpt"
echo "exit $?"
$RESCOPE ls "$ckpt" --select model_state_dict
echo "exit $?"
$RESCOPE ls "$ckpt" --select model_state
echo "exit $?"
