# Every map file under maps/, by name (its path without .json), with its "description".
$RESCOPE maps list
