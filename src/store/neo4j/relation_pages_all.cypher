// One page of relations per query over the whole graph (no actor), filtered by type.
UNWIND range(0, size($queries) - 1) AS i
WITH i, $queries[i] AS q
CALL (q) {
  MATCH (:Actor)-[r]->(:Actor)
  WHERE size(q.types) = 0 OR type(r) IN q.types
  RETURN count(r) AS total
}
CALL (q) {
  MATCH (:Actor)-[r]->(:Actor)
  WHERE (size(q.types) = 0 OR type(r) IN q.types)
    AND (q.after IS NULL OR r.id > q.after)
  WITH r ORDER BY r.id
  RETURN collect(r {.*, type: type(r)}) AS matched
}
RETURN i, total, matched[0..q.limit] AS page
ORDER BY i
