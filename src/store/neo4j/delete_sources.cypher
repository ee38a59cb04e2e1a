// Deletes sources by id (with the links of the relations that cited them).
UNWIND $ids AS id
MATCH (s:Source {id: id})
DETACH DELETE s
