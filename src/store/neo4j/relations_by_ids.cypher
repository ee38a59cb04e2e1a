// The relations with the given ids, whatever their type; unknown ids give no row.
// A relation's key node names the actor it starts from, so the lookup is an
// index seek and one actor's relationships, not a scan of every relationship
// (relationship ids are only indexed per type).
UNWIND $ids AS id
MATCH (k:RelationKey {id: id})
MATCH (:Actor {id: k.from})-[r]->(:Actor)
WHERE r.id = id
RETURN r {.*, type: type(r)} AS relation
