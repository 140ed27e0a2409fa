# rename without -o (or --dry-run) is refused before any work: the input is not even opened
# (it does not exist here), so the message is about -o, not about the input.
$RESCOPE rename testdata/no-such-checkpoint --rule a/=b/
