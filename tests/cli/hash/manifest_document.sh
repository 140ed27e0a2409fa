# The manifest `rescope hash` prints on stdout, validated against
# docs/json-schema/manifest.schema.json by judge/json_schemas. The digests are those of
# tests/cli/hash/scenario1 (checked there against sha256sum); here the document's shape.
"$RESCOPE" hash "$SRC/testdata/scenario1/model.ckpt" -j 1 | sed "s|$SRC|SRC|"
