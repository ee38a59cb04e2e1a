// A page of the sources whose folded text contains $search (folded, not empty),
// in id order after $after, with the total of all matches; the text only when
// $text. `searchText` is the folded text (src/domain/text.rs); on Neo4j the text
// index `source_search` serves `CONTAINS` (trigrams), with the same answers as
// reading every source, which is what ArcadeDB does.
CALL () {
  MATCH (s:Source)
  WHERE s.searchText CONTAINS $search
  RETURN count(s) AS total
}
CALL () {
  MATCH (s:Source)
  WHERE s.searchText CONTAINS $search AND ($after IS NULL OR s.id > $after)
  WITH s ORDER BY s.id LIMIT $limit
  RETURN collect(s {.id, .title, .publisher, .language, .publishedDate,
    .publishedInferred, .publishedNote, .url, .note,
    text: CASE WHEN $text THEN s.text ELSE '' END,
    .version, .createdAt, .createdBy, .updatedAt, .updatedBy}) AS page
}
RETURN total, page
