// Deletes actors by id with their relationships, those relationships' key
// nodes, their entries in the registry of ids (`RecordId`: their own ids and
// those of the actors merged into them) and in the name index
// (name_grams.cypher). (The ids are collected and unwound in a subquery: ArcadeDB does not
// delete nodes matched as `{id: r.id}` straight from an optional match, and scans
// every key for `k.id IN list`.)
UNWIND $ids AS id
MATCH (a:Actor {id: id})
OPTIONAL MATCH (a)-[r]-(:Actor)
WITH a, collect(r.id) AS relationIds
CALL (relationIds) {
  UNWIND relationIds AS relationId
  MATCH (k:RelationKey {id: relationId})
  DETACH DELETE k
}
CALL (a) {
  UNWIND [a.id] + coalesce(a.mergedIds, []) AS actorId
  MATCH (i:RecordId {id: actorId})
  DELETE i
}
CALL (a) {
  MATCH (:ActorName {id: a.id})-[:HAS_GRAM]->(g:NameGram)
  SET g.n = g.n - 1
}
CALL (a) {
  MATCH (k:ActorName {id: a.id})
  DETACH DELETE k
}
DETACH DELETE a
