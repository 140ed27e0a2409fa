# `maps list --json`: one document (validated by judge/json_schemas against
# docs/json-schema/maps.schema.json) naming every map file under maps/, with its path.
"$RESCOPE" maps list --json | sed "s|$SRC|SRC|g"
want=$(cd "$SRC/maps" && find . -name '*.json' | sed 's|^\./||; s|\.json$||' | sort)
got=$("$RESCOPE" maps list --json | grep -o '"name": "[^"]*"' | sed 's/"name": "//; s/"$//' | sort)
[ "$want" = "$got" ] && echo "names match the files under maps/"
"$RESCOPE" maps show dataparallel/strip-module --json
echo "show --json: exit $?"
