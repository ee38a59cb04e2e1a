// Inside an import's transaction, after the write lock: how many of the actors the
// import is about to write are no longer as it read them (another version, or
// created or deleted since). Any, and the import reads again and starts over.
UNWIND $rows AS row
OPTIONAL MATCH (a:Actor {id: row.id})
WITH row, a
WHERE (a IS NULL AND row.version IS NOT NULL)
   OR (a IS NOT NULL AND (row.version IS NULL OR coalesce(a.version, 0) <> row.version))
RETURN count(row) AS stale
