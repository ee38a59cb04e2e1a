// relation_pages_of_actors.cypher, with the actors at the ends of the pages'
// relations (`ends`): the next level of a query that shows the relations' `from`
// and `to`, in the same round trip. One row: the pages in query order, and the
// ends, read by id once each after every page is cut (so an actor with thousands
// of relations costs only its page's ends, and an actor at the end of several
// pages, such as the one they belong to, comes once). The subquery aggregates
// without a grouping key, so a page without relations still has its entry.
// Everything else as in relation_pages_of_actors.cypher.
// The `kept` step after the filters stands for the `where` condition:
// the store writes relation_where.cypher's expression there, or leaves the step
// out for queries without one (src/store/neo4j.rs, `with_where`).
UNWIND range(0, size($queries) - 1) AS i
WITH i, $queries[i] AS q
CALL (q) {
  MATCH (:Actor {id: q.actor})-[r]-(:Actor)
  WHERE (q.direction = 'BOTH'
         OR (q.direction = 'OUT' AND r.from = q.actor)
         OR (q.direction = 'IN' AND r.to = q.actor))
    AND (size(q.types) = 0 OR type(r) IN q.types)
    AND (q.asOf IS NULL OR (
         (r.startDate IS NULL
          OR left(r.startDate, CASE WHEN size(r.startDate) < size(q.asOf) THEN size(r.startDate) ELSE size(q.asOf) END)
             <= left(q.asOf, CASE WHEN size(r.startDate) < size(q.asOf) THEN size(r.startDate) ELSE size(q.asOf) END))
         AND (r.endDate IS NULL
          OR left(r.endDate, CASE WHEN size(r.endDate) < size(q.asOf) THEN size(r.endDate) ELSE size(q.asOf) END)
             >= left(q.asOf, CASE WHEN size(r.endDate) < size(q.asOf) THEN size(r.endDate) ELSE size(q.asOf) END))))
  WITH r, size(q.where) = 0 AS kept
  WHERE kept
  WITH r ORDER BY r.id
  RETURN collect(r {.*, type: type(r)}) AS matched
}
WITH i, size(matched) AS total,
     [x IN matched WHERE q.after IS NULL OR x.id > q.after][0..q.limit] AS page
ORDER BY i
WITH collect({i: i, total: total, page: page}) AS pages
CALL (pages) {
  UNWIND pages AS p
  UNWIND p.page AS x
  UNWIND [x.from, x.to] AS endId
  WITH DISTINCT endId
  MATCH (a:Actor {id: endId})
  RETURN collect(a {.id, .kind, .nameKo, .nameEn, .aliases, .description, .mergedIds,
    .version, .createdAt, .createdBy, .updatedAt, .updatedBy}) AS ends
}
RETURN pages, ends
