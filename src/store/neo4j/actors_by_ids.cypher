// The actors with the given ids; an id of an actor merged into another
// (mergeActors) gives that other, through the registry of ids (upsert_actors.cypher);
// unknown ids give no row.
UNWIND $ids AS id
OPTIONAL MATCH (direct:Actor {id: id})
OPTIONAL MATCH (i:RecordId {id: id})
WITH direct, CASE WHEN direct IS NULL THEN i.actor ELSE NULL END AS keeper
OPTIONAL MATCH (merged:Actor {id: keeper})
WITH coalesce(direct, merged) AS a
WHERE a IS NOT NULL
RETURN DISTINCT a {.id, .kind, .nameKo, .nameEn, .aliases, .description, .mergedIds,
  .version, .createdAt, .createdBy, .updatedAt, .updatedBy} AS actor
