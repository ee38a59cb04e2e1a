// Creates or replaces sources: `SET s = row` drops properties the row no longer has.
// Each holds its id in the registry of ids of every kind (`RecordId`, setup.cypher).
UNWIND $rows AS row
MERGE (s:Source {id: row.id})
SET s = row
WITH row
MERGE (i:RecordId {id: row.id})
ON CREATE SET i.kind = 'source'
WITH row, i
OPTIONAL MATCH (k:RelationKey {id: row.id})
WITH row, i, k
WHERE i.kind <> 'source' OR k IS NOT NULL
// Another kind holds the id: a second RecordId of it breaks the constraint
// `record_id`, which refuses the whole transaction.
CREATE (:RecordId {id: row.id})
