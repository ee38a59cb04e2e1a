// Entries of the change log after a number, oldest first: of the records with an
// id, or of some kinds of record, when asked.
MATCH (c:Change)
WHERE c.seq > $after
  AND ($id IS NULL OR c.id = $id)
  AND (size($kinds) = 0 OR c.kind IN $kinds)
RETURN c {.*} AS entry
ORDER BY c.seq
LIMIT $limit
