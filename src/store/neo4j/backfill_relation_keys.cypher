// Gives a key node to every relation written before key nodes existed. Idempotent;
// it reads every relationship once, so it runs at start-up only, not per import.
MATCH (a:Actor)-[r]->(:Actor)
OPTIONAL MATCH (k:RelationKey {id: r.id})
WITH a, r, k
WHERE k IS NULL
MERGE (n:RelationKey {id: r.id})
SET n.from = a.id
