// Keeps the name index that search_actors.cypher reads, for some actors: each
// actor has one (:ActorName {id, kind, searchText}) node, a copy of what a search
// tests, linked to a (:NameGram {g, n}) node for every bigram and trigram of its
// folded keys (src/domain/search.rs, `index_grams`), where `n` is how many
// ActorName nodes link to the gram. The copy keeps these links off the actor
// node, whose relationships every untyped pattern of the other queries reads.
// Rows: {id, kind, searchText, grams}. A row applies only while the actor's
// searchText is the row's: the index build at start-up reads before it writes,
// and a write in between indexed the actor itself. Grams the actor no longer has
// are unlinked, new ones linked (the links it has are read once, not once per
// gram); the counts follow.
UNWIND $rows AS row
MATCH (a:Actor {id: row.id})
WHERE a.searchText = row.searchText
MERGE (k:ActorName {id: row.id})
SET k.kind = row.kind, k.searchText = row.searchText
WITH k, row
CALL (k, row) {
  MATCH (k)-[old:HAS_GRAM]->(g:NameGram)
  WHERE NOT g.g IN row.grams
  SET g.n = g.n - 1
  DELETE old
}
CALL (k, row) {
  OPTIONAL MATCH (k)-[:HAS_GRAM]->(kept:NameGram)
  WITH k, row, collect(kept.g) AS had
  UNWIND [gram IN row.grams WHERE NOT gram IN had] AS gram
  MERGE (g:NameGram {g: gram})
  ON CREATE SET g.n = 0
  SET g.n = g.n + 1
  CREATE (k)-[:HAS_GRAM]->(g)
}
