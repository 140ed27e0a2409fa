# A mistyped command is named with the nearest command, as git does; nothing runs.
"$RESCOPE" lss testdata/scenario1/model.ckpt
