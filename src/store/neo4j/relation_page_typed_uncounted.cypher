// relation_page_typed.cypher without the total (0), for a request that does not
// select `totalCount`: the same template, `CONTRACT` standing for the type.
// In a subquery that aggregates without a grouping key, so that a page with no
// match still yields its row.
// The `kept` step after the filters stands for the `where` condition:
// the store writes relation_where.cypher's expression there, or leaves the step
// out for queries without one (src/store/neo4j.rs, `with_where`).
CALL () {
  MATCH (:Actor)-[r:CONTRACT]->(:Actor)
  WHERE ($after IS NULL OR r.id > $after)
    AND ($asOf IS NULL OR (
         (r.startDate IS NULL
          OR left(r.startDate, CASE WHEN size(r.startDate) < size($asOf) THEN size(r.startDate) ELSE size($asOf) END)
             <= left($asOf, CASE WHEN size(r.startDate) < size($asOf) THEN size(r.startDate) ELSE size($asOf) END))
         AND (r.endDate IS NULL
          OR left(r.endDate, CASE WHEN size(r.endDate) < size($asOf) THEN size(r.endDate) ELSE size($asOf) END)
             >= left($asOf, CASE WHEN size(r.endDate) < size($asOf) THEN size(r.endDate) ELSE size($asOf) END))))
  WITH r, size($where) = 0 AS kept
  WHERE kept
  WITH r ORDER BY r.id LIMIT $limit
  RETURN collect(r {.*, type: type(r)}) AS page
}
RETURN 0 AS total, page
