// Deletes relations by id, anchored on the actor each currently starts from, with
// their key nodes (and the key nodes' links to the sources they cite).
UNWIND $rows AS row
OPTIONAL MATCH (:Actor {id: row.from})-[r]->(:Actor)
  WHERE r.id = row.id
OPTIONAL MATCH (k:RelationKey {id: row.id})
DELETE r
DETACH DELETE k
