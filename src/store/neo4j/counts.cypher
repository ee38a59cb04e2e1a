// The graph's counts as count_changes.cypher keeps them, in the shape of
// stats.cypher; `ready` is false on a database whose counts were never taken
// (recount.cypher), and the store then counts by reading (stats.cypher).
CALL () {
  MATCH (c:GraphCount)
  WHERE c.key STARTS WITH 'actor:'
  RETURN collect({key: substring(c.key, 6), count: c.n}) AS actors
}
CALL () {
  MATCH (c:GraphCount)
  WHERE c.key STARTS WITH 'relation:'
  RETURN collect({key: substring(c.key, 9), count: c.n}) AS relations
}
CALL () {
  OPTIONAL MATCH (c:GraphCount {key: 'source'})
  RETURN coalesce(c.n, 0) AS sources
}
CALL () {
  OPTIONAL MATCH (c:GraphCount {key: 'counted'})
  RETURN c IS NOT NULL AS ready
}
RETURN actors, relations, sources, ready
