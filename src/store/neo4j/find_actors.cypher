// A page of actors with the total of all matches. Without $search, in id order;
// with it, best match first (then by id): rank 0 when a name or alias is the query,
// 1 when one starts with it, 2 when one contains it (src/domain/search.rs). $search
// is the folded query; `searchText` holds the folded names and aliases joined by
// `|`, which a folded query never contains, so a match never spans two names, and
// `|name|` tests a whole name. The page continues after ($afterRank, $afterId).
// The total and the page are separate subqueries so that each aggregates without a
// grouping key and always yields its one row, even when nothing matches.
CALL () {
  MATCH (a:Actor)
  WHERE (size($kinds) = 0 OR a.kind IN $kinds)
    AND ($search = '' OR a.searchText CONTAINS $search)
    AND all(c IN $relations WHERE [n IN [COUNT { (a)-[r]-(:Actor)
          WHERE (c.direction = 'BOTH' OR (c.direction = 'OUT' AND r.from = a.id)
                 OR (c.direction = 'IN' AND r.to = a.id))
            AND (size(c.types) = 0 OR type(r) IN c.types) }]
        | n >= c.min AND (c.max IS NULL OR n <= c.max)][0])
  RETURN count(a) AS total
}
CALL () {
  MATCH (a:Actor)
  WHERE (size($kinds) = 0 OR a.kind IN $kinds)
    AND ($search = '' OR a.searchText CONTAINS $search)
    AND all(c IN $relations WHERE [n IN [COUNT { (a)-[r]-(:Actor)
          WHERE (c.direction = 'BOTH' OR (c.direction = 'OUT' AND r.from = a.id)
                 OR (c.direction = 'IN' AND r.to = a.id))
            AND (size(c.types) = 0 OR type(r) IN c.types) }]
        | n >= c.min AND (c.max IS NULL OR n <= c.max)][0])
  WITH a,
       CASE
         WHEN $search = '' THEN 0
         WHEN ('|' + a.searchText + '|') CONTAINS ('|' + $search + '|') THEN 0
         WHEN ('|' + a.searchText) CONTAINS ('|' + $search) THEN 1
         ELSE 2
       END AS rank
  WHERE $afterId IS NULL OR rank > $afterRank OR (rank = $afterRank AND a.id > $afterId)
  WITH a, rank ORDER BY rank, a.id LIMIT $limit
  RETURN collect(a {.id, .kind, .nameKo, .nameEn, .aliases, .description, .mergedIds,
    .version, .createdAt, .createdBy, .updatedAt, .updatedBy}) AS page
}
RETURN total, page
