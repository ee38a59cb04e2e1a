// Inside an import's transaction, after the write lock: how many of the relations
// the import is about to write are no longer as it read them (see
// guard_actors.cypher). Each is looked up from the actor it started from when read
// (or will start from, when new), so no relationship scan is needed.
UNWIND $rows AS row
OPTIONAL MATCH (:Actor {id: row.from})-[r]->(:Actor)
  WHERE r.id = row.id
WITH row, r
WHERE (r IS NULL AND row.version IS NOT NULL)
   OR (r IS NOT NULL AND (row.version IS NULL OR coalesce(r.version, 0) <> row.version))
RETURN count(row) AS stale
