// The sources written before their folded text was kept (by an older version),
// with their text, for the store to fold (src/domain/text.rs) at start-up.
MATCH (s:Source)
WHERE s.searchText IS NULL
RETURN s.id AS id, s.text AS text
