// The claims with the given ids.
UNWIND $ids AS id
MATCH (c:Claim {id: id})
RETURN c {.content, .version, .createdAt, .createdBy, .updatedAt, .updatedBy} AS claim
