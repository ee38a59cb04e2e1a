// Links the key node of every relation written before sources' links existed to
// the sources its evidence quotes (see create_relations.cypher). Idempotent; it
// reads every relationship once, so it runs at start-up only, after
// backfill_relation_keys.cypher.
MATCH (:Actor)-[r]->(:Actor)
WHERE size(coalesce(r.evidenceSources, [])) > 0
MATCH (k:RelationKey {id: r.id})
WHERE NOT EXISTS { (k)-[:CITES]->(:Source) }
UNWIND r.evidenceSources AS sourceId
MATCH (s:Source {id: sourceId})
MERGE (k)-[:CITES]->(s)
