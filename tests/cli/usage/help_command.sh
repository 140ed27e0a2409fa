# `rescope help CMD` prints exactly what `rescope CMD --help` prints, examples included.
for cmd in ls info show verify rename diff check convert recover hash; do
  if cmp -s <("$RESCOPE" help "$cmd") <("$RESCOPE" "$cmd" --help); then same=same; else same=differs; fi
  examples=$("$RESCOPE" help "$cmd" | grep -c "^  rescope $cmd ")
  echo "$cmd $same, $examples examples"
done
"$RESCOPE" help nosuch; echo "exit $?"
