# The bash script as bash runs it: sourced in a non-interactive shell, its function called
# with COMP_WORDS / COMP_CWORD set as readline would, COMPREPLY printed sorted. Expected
# values come from the parser's definitions (commands, convert's --to choices, convert's
# options starting --ma) and from the test checkpoint's names (rescope ls testdata/scopes/model.ckpt).
$RESCOPE completions bash >"$TMP/rescope.bash" || exit 1
complete_line() {  # WORD... : completes the last word
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _rescope
    printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$TMP/rescope.bash" "$RESCOPE" "$@"
}
echo "== subcommand"
complete_line co
echo "== subcommand after a global flag"
complete_line -q ver
echo "== flag"
complete_line convert a.ckpt b.safetensors --ma
echo "== --to value"
complete_line convert a.ckpt out --to s
echo "== --color value (global)"
complete_line --color a
echo "== tensor name"
complete_line show testdata/scopes/model.ckpt model_1/layer_a/w
echo "== tensor name after a flag"
complete_line show --json testdata/scopes/model.ckpt model_2/
echo "== shipped map name"
complete_line convert a.pt b.pt --map dataparallel/
echo "== maps action and name"
complete_line maps s
complete_line maps show torch-compile/
echo "== shell"
complete_line completions f
echo "== option value that is a file"
mkdir -p "$TMP/d" && touch "$TMP/d/out.safetensors"
complete_line rename a.ckpt -o "$TMP/d/ou" | sed "s|$TMP|TMP|"
