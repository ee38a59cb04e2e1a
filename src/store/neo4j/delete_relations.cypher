// Deletes relations by id, anchored on the actor each currently starts from.
UNWIND $rows AS row
MATCH (:Actor {id: row.from})-[r]->(:Actor)
WHERE r.id = row.id
DELETE r
