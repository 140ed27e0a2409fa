# A path that names nothing: exit 2, the error (strerror) on stderr, nothing on stdout.
"$RESCOPE" ls no-such-dir/model.ckpt-7
