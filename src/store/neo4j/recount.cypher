// Takes the graph's counts (count_changes.cypher) by reading everything, once: on
// a database whose counts were never taken (new, or written by a version that
// kept none), which the `counted` node marks. Run at start-up, in a transaction
// that holds the writer lock, so that no write runs between the reading and the
// setting. Does nothing when the counts are there.
OPTIONAL MATCH (done:GraphCount {key: 'counted'})
WITH done WHERE done IS NULL
CALL () {
  MATCH (a:Actor)
  WITH a.kind AS kind, count(*) AS n
  RETURN collect({key: 'actor:' + kind, n: n}) AS actors
}
CALL () {
  MATCH (:Actor)-[r]->(:Actor)
  WITH type(r) AS type, count(*) AS n
  RETURN collect({key: 'relation:' + type, n: n}) AS relations
}
CALL () {
  MATCH (s:Source)
  RETURN count(s) AS sources
}
UNWIND actors + relations + [{key: 'source', n: sources}, {key: 'counted', n: 1}] AS d
MERGE (c:GraphCount {key: d.key})
SET c.n = d.n
