// One page of relations over the whole graph (no actor), filtered by type, in id
// order, with the total. Only root fields ask for these, one at a time, so the
// page is cut with LIMIT (a parameter) instead of collecting every match.
CALL () {
  MATCH (:Actor)-[r]->(:Actor)
  WHERE size($types) = 0 OR type(r) IN $types
  RETURN count(r) AS total
}
CALL () {
  MATCH (:Actor)-[r]->(:Actor)
  WHERE (size($types) = 0 OR type(r) IN $types)
    AND ($after IS NULL OR r.id > $after)
  WITH r ORDER BY r.id LIMIT $limit
  RETURN collect(r {.*, type: type(r)}) AS page
}
RETURN total, page
