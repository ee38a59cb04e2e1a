// The aggregate of the whole graph's relations of some types (all when $types is
// empty), as groups alike in type and currency: relation_aggregates_of_actors.cypher
// without an actor, hence without the kind of an other end. It reads every
// relationship of the types (a root field's aggregate, one at a time). `asOf` as
// in relation_pages_of_actors.cypher; the `kept` step stands for the `where`
// condition (src/store/neo4j.rs, `with_where`).
MATCH (:Actor)-[r]->(:Actor)
WHERE (size($types) = 0 OR type(r) IN $types)
  AND ($asOf IS NULL OR (
       (r.startDate IS NULL
        OR left(r.startDate, CASE WHEN size(r.startDate) < size($asOf) THEN size(r.startDate) ELSE size($asOf) END)
           <= left($asOf, CASE WHEN size(r.startDate) < size($asOf) THEN size(r.startDate) ELSE size($asOf) END))
       AND (r.endDate IS NULL
        OR left(r.endDate, CASE WHEN size(r.endDate) < size($asOf) THEN size(r.endDate) ELSE size($asOf) END)
           >= left($asOf, CASE WHEN size(r.endDate) < size($asOf) THEN size(r.endDate) ELSE size($asOf) END))))
  WITH r, size($where) = 0 AS kept
  WHERE kept
RETURN 0 AS i, type(r) AS type, r.amountCurrency AS currency, null AS otherKind,
       count(r) AS n,
       count(r.amountValue) AS amounts, sum(r.amountValue) * 1.0 AS amountSum,
       min(r.amountValue) AS amountMin, max(r.amountValue) AS amountMax,
       count(r.startDate) AS starts, min(r.startDate) AS startMin, max(r.startDate) AS startMax,
       count(r.endDate) AS ends, min(r.endDate) AS endMin, max(r.endDate) AS endMax
