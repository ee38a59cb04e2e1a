// A page of every source in id order after $after, with the total: the text only
// when $text (a list shows it only when asked for).
CALL () {
  MATCH (s:Source)
  RETURN count(s) AS total
}
CALL () {
  MATCH (s:Source)
  WHERE $after IS NULL OR s.id > $after
  WITH s ORDER BY s.id LIMIT $limit
  RETURN collect(s {.id, .title, .publisher, .language, .publishedDate,
    .publishedInferred, .publishedNote, .url, .note,
    text: CASE WHEN $text THEN s.text ELSE '' END,
    .version, .createdAt, .createdBy, .updatedAt, .updatedBy}) AS page
}
RETURN total, page
