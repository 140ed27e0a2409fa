# An unknown --sort value is a usage error (exit 2).
"$RESCOPE" ls --sort bogus no-such-dir/model.ckpt-7
