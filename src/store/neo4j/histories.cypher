// The last changes of each record asked for (by kind and id), through the index on
// the record id; `i` says which record a row answers (rows come in any order).
UNWIND $records AS rec
CALL (rec) {
  MATCH (c:Change {id: rec.id})
  WHERE c.kind = rec.kind
  WITH c
  ORDER BY c.seq DESC
  LIMIT $limit
  RETURN collect(c {.*}) AS entries
}
RETURN rec.i AS i, entries
