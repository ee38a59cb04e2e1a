// Counts of actors per kind, relations per type, and sources, in one round trip.
CALL () {
  MATCH (a:Actor)
  WITH a.kind AS key, count(*) AS n
  RETURN collect({key: key, count: n}) AS actors
}
CALL () {
  MATCH (:Actor)-[r]->(:Actor)
  WITH type(r) AS key, count(*) AS n
  RETURN collect({key: key, count: n}) AS relations
}
CALL () {
  MATCH (s:Source)
  RETURN count(s) AS sources
}
RETURN actors, relations, sources
