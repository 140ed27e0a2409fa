# SPDX-License-Identifier: Apache-2.0
"""Every `--json` document in the golden CLI cases (tests/cli/*/*.stdout) validates against
its command's JSON Schema (docs/json-schema/<command>.schema.json, draft 2020-12), and every
command's schema is exercised by at least one golden case.

The golden files are the documents rescope is held to, so validating them checks that the
schemas and the outputs agree; a schema edited without the output (or the reverse) fails here.
"""
import glob
import json
import os

from judgelib import SOURCE_DIR, check, finish

try:
    import jsonschema
except ImportError:  # the judge environment pins it (scripts/judges-requirements.txt)
    raise SystemExit("FAIL: the judge environment lacks jsonschema; "
                     "rerun scripts/make-judges-venv.sh") from None

COMMANDS = ["ls", "info", "show", "verify", "diff", "check", "rename", "convert", "recover", "maps"]
SCHEMA_DIR = os.path.join(SOURCE_DIR, "docs", "json-schema")


def documents(text):
    """Every JSON object in `text` that starts at the beginning of a line."""
    decoder = json.JSONDecoder()
    found = []
    pos = 0
    while pos < len(text):
        if text[pos] == "{" and (pos == 0 or text[pos - 1] == "\n"):
            try:
                doc, end = decoder.raw_decode(text, pos)
                found.append(doc)
                pos = end
                continue
            except json.JSONDecodeError:
                pass
        nl = text.find("\n", pos)
        pos = len(text) if nl < 0 else nl + 1
    return found


validators = {}
for command in COMMANDS:
    path = os.path.join(SCHEMA_DIR, command + ".schema.json")
    if not check(os.path.exists(path), f"no schema for {command}: {path}"):
        continue
    with open(path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validators[command] = jsonschema.Draft202012Validator(schema)

# The hash manifest is a file format (no "command"): documents with "algorithm" are manifests.
with open(os.path.join(SCHEMA_DIR, "manifest.schema.json")) as f:
    manifest_schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(manifest_schema)
manifest_validator = jsonschema.Draft202012Validator(manifest_schema)
manifests_seen = 0

seen = {c: 0 for c in COMMANDS}
for stdout in sorted(glob.glob(os.path.join(SOURCE_DIR, "tests", "cli", "*", "*.stdout"))):
    case = os.path.relpath(stdout, SOURCE_DIR)
    with open(stdout, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for doc in documents(text):
        if "schema_version" not in doc and "command" not in doc:
            continue  # a file the case printed (a rename map), not a command's report
        if "algorithm" in doc and "command" not in doc:
            manifests_seen += 1
            for e in list(manifest_validator.iter_errors(doc))[:5]:
                check(False, f"{case}: manifest: at {list(e.path)}: {e.message[:300]}")
            continue
        command = doc.get("command")
        if not check(command in validators, f"{case}: unknown \"command\": {command!r}"):
            continue
        seen[command] += 1
        errors = sorted(validators[command].iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:5]:
            check(False, f"{case}: {command}: at {list(e.path)}: {e.message[:300]}")

for command, n in seen.items():
    check(n > 0, f"no golden CLI case prints a `{command} --json` document")
check(manifests_seen > 0, "no golden CLI case prints a `rescope hash` manifest")
print("documents validated per command:", seen, "manifests:", manifests_seen)
finish()
