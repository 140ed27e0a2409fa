# A mistyped flag is named with the nearest flag of its command.
"$RESCOPE" diff testdata/scenario1/model.ckpt testdata/scenario1/model.ckpt --valeus
