# The zsh and fish scripts parse (zsh -n, fish --no-execute), and zsh's defines _rescope and
# registers it for rescope when sourced in a shell with compinit. The shells come from
# scripts/install-deps.sh; without them the case is skipped (a failure in CI).
for shell in zsh fish; do
  if ! command -v $shell >/dev/null; then
    echo "$shell not installed (scripts/install-deps.sh installs it)" >&2
    exit 77
  fi
done
$RESCOPE completions zsh >"$TMP/_rescope" && zsh -n "$TMP/_rescope" && echo "zsh: parses"
$RESCOPE completions fish >"$TMP/rescope.fish" && fish --no-execute "$TMP/rescope.fish" &&
  echo "fish: parses"
HOME=$TMP zsh -f -c "autoload -Uz compinit && compinit -u -d $TMP/zcompdump && source $TMP/_rescope && echo \"zsh: rescope completes with \$_comps[rescope]\""
# fish: the registered completions for a partial command line (no shell session needed).
HOME=$TMP fish --no-config -c "source $TMP/rescope.fish; complete -C 'rescope conv'; complete -C 'rescope convert a b --to saf'" |
  cut -f1
