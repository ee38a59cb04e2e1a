// Keeps the folded text of some sources (rows {id, text, searchText}), each only
// while its text is the row's: a write in between folded it itself.
UNWIND $rows AS row
MATCH (s:Source {id: row.id})
WHERE s.text = row.text
SET s.searchText = row.searchText
