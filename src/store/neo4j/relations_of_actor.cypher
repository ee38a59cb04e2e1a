// Every relation of one actor, in either direction (for a delete or a kind change).
MATCH (:Actor {id: $id})-[r]-(:Actor)
RETURN r {.*, type: type(r)} AS relation
