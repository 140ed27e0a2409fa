# On a terminal (a pseudo-terminal from script(1), util-linux/bsdutils, present on every
# Debian) --color=auto colours; NO_COLOR turns it off there too.
command -v script >/dev/null || { echo "script(1) not found (util-linux)" >&2; exit 77; }
script -qec "$RESCOPE check testdata/scenario1/model.ckpt --expect testdata/scenario1/expected.json" /dev/null |
  tr -d '\r' | cat -v
script -qec "NO_COLOR=1 $RESCOPE check testdata/scenario1/model.ckpt --expect testdata/scenario1/expected.json" /dev/null |
  tr -d '\r' | cat -v
