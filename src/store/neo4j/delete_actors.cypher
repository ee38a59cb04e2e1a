// Deletes actors by id with their relationships.
UNWIND $ids AS id
MATCH (a:Actor {id: id})
DETACH DELETE a
