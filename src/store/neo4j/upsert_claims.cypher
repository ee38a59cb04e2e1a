// Creates or replaces intake's candidate claims (src/domain/claim.rs). A claim is
// read and written whole, so its content is one JSON text (`content`); `source`
// and `review` are copies that lists filter on (find_claims.cypher). Claims have
// ids of their own kind: they are not graph records, and `node(id:)` does not
// reach them, so they take no RecordId.
UNWIND $rows AS row
MERGE (c:Claim {id: row.id})
SET c = row
