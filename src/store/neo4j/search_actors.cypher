// A page of the actors whose names or aliases contain $search (folded, three
// characters or more: the store sends shorter ones, which may match most actors, to
// find_actors.cypher, whose memory the page bounds), best match first, with the
// total of all matches, in ONE pass over the matches: rank 0 when a
// name or alias is the query, 1 when one starts with it, 2 when one contains it
// (src/domain/search.rs), then by id. `searchText` holds the folded names and
// aliases joined by `|`, which a folded query never contains, so a match never
// spans two names and `|name|` tests a whole name. On Neo4j the CONTAINS is served
// by the text index `actor_search` (setup.cypher), and the rank is computed on its
// candidates only; ArcadeDB has no such index and reads every actor once
// (docs/neo4j.md). The matches are collected as (rank, node) so that the total and
// the page come from the same read; the page continues after ($afterRank, $afterId).
// The subquery aggregates without a grouping key, so an empty page still yields its row.
MATCH (a:Actor)
WHERE (size($kinds) = 0 OR a.kind IN $kinds)
  AND a.searchText CONTAINS $search
WITH a,
     CASE
       WHEN ('|' + a.searchText + '|') CONTAINS ('|' + $search + '|') THEN 0
       WHEN ('|' + a.searchText) CONTAINS ('|' + $search) THEN 1
       ELSE 2
     END AS rank
ORDER BY rank, a.id
WITH collect({rank: rank, actor: a}) AS hits
WITH size(hits) AS total,
     [h IN hits WHERE $afterId IS NULL OR h.rank > $afterRank
                      OR (h.rank = $afterRank AND h.actor.id > $afterId)][0..$limit] AS shown
CALL (shown) {
  UNWIND shown AS h
  WITH h.actor AS a
  RETURN collect(a {.id, .kind, .nameKo, .nameEn, .aliases, .description,
    .version, .createdAt, .createdBy, .updatedAt, .updatedBy}) AS page
}
RETURN total, page
