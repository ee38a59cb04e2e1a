// How many relations the types of $keys (`relation:CONTRACT`…) have together, from
// the counts count_changes.cypher keeps: a page's `totalCount` without reading
// the relationships. `ready` is false on a database whose counts were never taken
// (recount.cypher); the store then counts by reading.
CALL () {
  OPTIONAL MATCH (done:GraphCount {key: 'counted'})
  RETURN done IS NOT NULL AS ready
}
CALL () {
  MATCH (c:GraphCount)
  WHERE c.key IN $keys
  RETURN coalesce(sum(c.n), 0) AS total
}
RETURN ready, total
