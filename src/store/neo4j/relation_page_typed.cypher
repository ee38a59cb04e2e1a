// One page of the whole graph's relations of ONE type, in id order, with the total:
// the relationship type is written in the pattern, so that the store scans only
// that type's relationships (on ArcadeDB a typed count took 76 ms where
// `type(r) IN $types` took 222 ms, at 50,000 relations) and Neo4j can walk the
// type's `id` index in order. A type cannot be a parameter in Cypher 5, so this
// text is a template: `CONTRACT` below stands for the type, and the store makes
// one statement per relation type by replacing the pattern's `[r:CONTRACT]` with
// the name of a `RelationType` variant, a compile-time constant (never client
// text; src/store/neo4j.rs, `typed`). A page of several types runs one statement
// per type and merges them by id. `asOf` as in relation_pages_of_actors.cypher.
// The `kept` step after the filters stands for the `where` condition:
// the store writes relation_where.cypher's expression there, or leaves the step
// out for queries without one (src/store/neo4j.rs, `with_where`).
CALL () {
  MATCH (:Actor)-[r:CONTRACT]->(:Actor)
  WHERE ($asOf IS NULL OR (
         (r.startDate IS NULL
          OR left(r.startDate, CASE WHEN size(r.startDate) < size($asOf) THEN size(r.startDate) ELSE size($asOf) END)
             <= left($asOf, CASE WHEN size(r.startDate) < size($asOf) THEN size(r.startDate) ELSE size($asOf) END))
         AND (r.endDate IS NULL
          OR left(r.endDate, CASE WHEN size(r.endDate) < size($asOf) THEN size(r.endDate) ELSE size($asOf) END)
             >= left($asOf, CASE WHEN size(r.endDate) < size($asOf) THEN size(r.endDate) ELSE size($asOf) END))))
  WITH r, size($where) = 0 AS kept
  WHERE kept
  RETURN count(r) AS total
}
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
RETURN total, page
