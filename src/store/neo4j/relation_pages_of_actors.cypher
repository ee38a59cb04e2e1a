// One page of relations per query, each anchored on an actor: the relation lists
// of many actors in one round trip. Relationships keep their endpoints' ids in
// `from` and `to`, so the direction filter needs no startNode(). Relationships are
// projected to maps inside the subquery (ArcadeDB returns null for relationship
// values carried out of a subquery), and the subquery aggregates without a
// grouping key so that a query with no match still yields its row.
// `asOf` keeps the relations that hold at that date: dates are zero-padded
// strings at their precision, so comparing both cut to the shorter one compares
// them at the coarser precision (a start of `2015` holds on `2015-01-16`).
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
RETURN i, size(matched) AS total,
       [x IN matched WHERE q.after IS NULL OR x.id > q.after][0..q.limit] AS page
ORDER BY i
