# needs: real
# --step names a step the state file does not list: exit 2, the listed ones on stderr.
cd "$REAL" && "$RESCOPE" info --step 5 tfx-estimator-wide-deep-3ckpts
