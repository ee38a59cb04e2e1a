// A page of the actors whose names or aliases contain $search (folded, two
// characters or more), best match first, with the total of all matches, through
// the name index (name_grams.cypher): every key that contains the query holds each
// of $grams (its trigrams, or its bigram), so the actors linked to the rarest of
// them are all the candidates; a gram the index lacks means no match. The rest as
// in find_actors.cypher: rank 0 when a name or alias is the query, 1 when one starts
// with it, 2 when one contains it (src/domain/search.rs), then by id, tested on the
// index's copy of `searchText` (folded keys joined by `|`, which a folded query
// never contains); the page continues after ($afterRank, $afterId). The total and
// the page are two passes over the candidates, the page keeping only its top, so
// memory is bound by the page even when most actors match. The actors of the page
// are read by id last (and ordered again: a MATCH need not keep the order).
// $relations as in find_actors.cypher, counted for the candidates only.
CALL () {
  UNWIND $grams AS gram
  OPTIONAL MATCH (g:NameGram {g: gram})
  WITH g ORDER BY g.n
  RETURN collect(g) AS found
}
WITH CASE WHEN size(found) = size($grams) THEN found[0..1] ELSE [] END AS rarest
CALL (rarest) {
  UNWIND rarest AS g
  MATCH (g)<-[:HAS_GRAM]-(k:ActorName)
  WHERE (size($kinds) = 0 OR k.kind IN $kinds) AND k.searchText CONTAINS $search
    AND all(c IN $relations WHERE [n IN [COUNT { (:Actor {id: k.id})-[r]-(:Actor)
          WHERE (c.direction = 'BOTH' OR (c.direction = 'OUT' AND r.from = k.id)
                 OR (c.direction = 'IN' AND r.to = k.id))
            AND (size(c.types) = 0 OR type(r) IN c.types) }]
        | n >= c.min AND (c.max IS NULL OR n <= c.max)][0])
  RETURN count(k) AS total
}
CALL (rarest) {
  UNWIND rarest AS g
  MATCH (g)<-[:HAS_GRAM]-(k:ActorName)
  WHERE (size($kinds) = 0 OR k.kind IN $kinds) AND k.searchText CONTAINS $search
    AND all(c IN $relations WHERE [n IN [COUNT { (:Actor {id: k.id})-[r]-(:Actor)
          WHERE (c.direction = 'BOTH' OR (c.direction = 'OUT' AND r.from = k.id)
                 OR (c.direction = 'IN' AND r.to = k.id))
            AND (size(c.types) = 0 OR type(r) IN c.types) }]
        | n >= c.min AND (c.max IS NULL OR n <= c.max)][0])
  WITH k,
       CASE
         WHEN ('|' + k.searchText + '|') CONTAINS ('|' + $search + '|') THEN 0
         WHEN ('|' + k.searchText) CONTAINS ('|' + $search) THEN 1
         ELSE 2
       END AS rank
  WHERE $afterId IS NULL OR rank > $afterRank OR (rank = $afterRank AND k.id > $afterId)
  WITH k, rank ORDER BY rank, k.id LIMIT $limit
  MATCH (a:Actor {id: k.id})
  WITH a, rank ORDER BY rank, a.id
  RETURN collect(a {.id, .kind, .nameKo, .nameEn, .aliases, .description, .mergedIds,
    .version, .createdAt, .createdBy, .updatedAt, .updatedBy}) AS page
}
RETURN total, page
