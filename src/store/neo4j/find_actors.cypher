// A page of actors in id order, with the total of all matches. The total and the
// page are separate subqueries so that each aggregates without a grouping key and
// always yields its one row, even when nothing matches. $search is the folded
// query (see src/domain/search.rs); `searchText` holds the folded names joined by
// `|`, which a folded query never contains, so a match never spans two names.
CALL () {
  MATCH (a:Actor)
  WHERE (size($kinds) = 0 OR a.kind IN $kinds)
    AND ($search = '' OR a.searchText CONTAINS $search)
  RETURN count(a) AS total
}
CALL () {
  MATCH (a:Actor)
  WHERE (size($kinds) = 0 OR a.kind IN $kinds)
    AND ($search = '' OR a.searchText CONTAINS $search)
    AND ($after IS NULL OR a.id > $after)
  WITH a ORDER BY a.id LIMIT $limit
  RETURN collect(a {.id, .kind, .nameKo, .nameEn, .aliases, .description}) AS page
}
RETURN total, page
