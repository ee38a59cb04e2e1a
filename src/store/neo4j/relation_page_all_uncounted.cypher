// One page of relations over the whole graph (no actor), filtered by type, in id
// order, without the total (0): relation_page_all.cypher's page, for a request
// that does not select `totalCount`, since the count reads every relationship.
// `asOf` as in relation_pages_of_actors.cypher.
// In a subquery that aggregates without a grouping key, so that a page with no
// match still yields its row.
// The `kept` step after the filters stands for the `where` condition:
// the store writes relation_where.cypher's expression there, or leaves the step
// out for queries without one (src/store/neo4j.rs, `with_where`).
CALL () {
  MATCH (:Actor)-[r]->(:Actor)
  WHERE (size($types) = 0 OR type(r) IN $types)
    AND ($after IS NULL OR r.id > $after)
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
