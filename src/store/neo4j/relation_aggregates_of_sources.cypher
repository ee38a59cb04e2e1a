// The aggregates of relation lists, each anchored on a source (the relations
// whose evidence quotes it, as in relation_pages_of_sources.cypher): one row per
// group of relations alike in type and currency, summed as in
// relation_aggregates_of_actors.cypher (a source has no "other end": the kind
// is null). The `kept` step stands for the `where` condition.
UNWIND range(0, size($queries) - 1) AS i
WITH i, $queries[i] AS q
CALL (q) {
  MATCH (:Source {id: q.source})<-[:CITES]-(k:RelationKey)
  MATCH (:Actor {id: k.from})-[r]->(:Actor)
  WHERE r.id = k.id
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
  RETURN type(r) AS type, r.amountCurrency AS currency, null AS otherKind,
         count(r) AS n,
         count(r.amountValue) AS amounts, sum(r.amountValue) * 1.0 AS amountSum,
         min(r.amountValue) AS amountMin, max(r.amountValue) AS amountMax,
         count(r.startDate) AS starts, min(r.startDate) AS startMin, max(r.startDate) AS startMax,
         count(r.endDate) AS ends, min(r.endDate) AS endMin, max(r.endDate) AS endMax
}
RETURN i, type, currency, otherKind, n, amounts, amountSum, amountMin, amountMax,
       starts, startMin, startMax, ends, endMin, endMax
