// Deletes sources by id (with the links of the relations that cited them, and
// their entries in the registry of ids, `RecordId`).
UNWIND $ids AS id
MATCH (s:Source {id: id})
DETACH DELETE s
WITH id
MATCH (i:RecordId {id: id})
DELETE i
