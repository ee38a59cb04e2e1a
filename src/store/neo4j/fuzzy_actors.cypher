// The candidates of a forgiving search (src/domain/search.rs, `forgiving_rank`):
// the actors linked in the name index (name_grams.cypher) to any of $grams (the
// folded query's bigrams and trigrams), leaving out a gram linked to more than
// $maxPostings actors, and those whose names hold the query ($search), which
// search_actors.cypher ranks. Each with its folded keys (`searchText`, joined by
// `|`), which the store measures against the query (a mistake or two) and ranks
// after every name that holds it. Filters as in search_actors.cypher.
UNWIND $grams AS gram
MATCH (g:NameGram {g: gram})
WHERE g.n <= $maxPostings
MATCH (g)<-[:HAS_GRAM]-(k:ActorName)
WITH DISTINCT k
WHERE (size($kinds) = 0 OR k.kind IN $kinds) AND NOT k.searchText CONTAINS $search
  AND all(c IN $relations WHERE [n IN [COUNT { (:Actor {id: k.id})-[r]-(:Actor)
        WHERE (c.direction = 'BOTH' OR (c.direction = 'OUT' AND r.from = k.id)
               OR (c.direction = 'IN' AND r.to = k.id))
          AND (size(c.types) = 0 OR type(r) IN c.types) }]
      | n >= c.min AND (c.max IS NULL OR n <= c.max)][0])
RETURN k.id AS id, k.searchText AS searchText
ORDER BY id
