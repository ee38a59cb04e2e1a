// The ids of the actors one of whose folded names or aliases is one of the rows'
// keys: what intake looks up for the phrases of a text (src/domain/intake/
// mentions.rs). Each key is found through the name index (name_grams.cypher) as
// search_actors.cypher finds a query: every name that is the key holds each of
// its grams, so the actors linked to the rarest gram are all the candidates (a
// gram the index lacks means none), kept when their searchText (folded keys
// joined by `|`) has the key whole. Rows: {key, grams}.
UNWIND $rows AS row
CALL (row) {
  UNWIND row.grams AS gram
  OPTIONAL MATCH (g:NameGram {g: gram})
  WITH g ORDER BY g.n
  RETURN collect(g) AS found
}
WITH row, CASE WHEN size(found) = size(row.grams) THEN found[0..1] ELSE [] END AS rarest
UNWIND rarest AS g
MATCH (g)<-[:HAS_GRAM]-(k:ActorName)
WHERE ('|' + k.searchText + '|') CONTAINS ('|' + row.key + '|')
RETURN DISTINCT k.id AS id
