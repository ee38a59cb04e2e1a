// The aggregates of relation lists, each anchored on an actor (the `aggregate`
// of a level's `Actor.relations` connections, in one round trip): for each
// query, one row per group of its relations alike in type, currency and kind of
// the actor at the other end, with the group's count, amounts (count, sum, min,
// max) and start and end dates (count, min, max). The store adds the groups up
// (src/domain/aggregate.rs), as the embedded store adds single relations. Dates
// are zero-padded strings at their precision, so their text order is the order
// the aggregates use (a coarser date before the finer ones it contains). A query
// whose actor has no matching relation yields no row. The sum is made a float
// (`* 1.0`): the sum of a group without amounts is the integer 0. Filters as in
// relation_pages_of_actors.cypher; the `kept` step stands for the `where`
// condition (src/store/neo4j.rs, `with_where`).
UNWIND range(0, size($queries) - 1) AS i
WITH i, $queries[i] AS q
CALL (q) {
  MATCH (:Actor {id: q.actor})-[r]-(o:Actor)
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
  WITH r, o, size(q.where) = 0 AS kept
  WHERE kept
  RETURN type(r) AS type, r.amountCurrency AS currency, o.kind AS otherKind,
         count(r) AS n,
         count(r.amountValue) AS amounts, sum(r.amountValue) * 1.0 AS amountSum,
         min(r.amountValue) AS amountMin, max(r.amountValue) AS amountMax,
         count(r.startDate) AS starts, min(r.startDate) AS startMin, max(r.startDate) AS startMax,
         count(r.endDate) AS ends, min(r.endDate) AS endMin, max(r.endDate) AS endMax
}
RETURN i, type, currency, otherKind, n, amounts, amountSum, amountMin, amountMax,
       starts, startMin, startMax, ends, endMin, endMax
