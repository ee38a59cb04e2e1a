// Creates or replaces sources: `SET s = row` drops properties the row no longer has.
UNWIND $rows AS row
MERGE (s:Source {id: row.id})
SET s = row
