// Every source, in id order.
MATCH (s:Source)
RETURN s {.id, .title, .publisher, .language, .publishedDate, .publishedInferred,
  .publishedNote, .url, .note, .text, .version, .createdAt, .createdBy, .updatedAt,
  .updatedBy} AS source
ORDER BY s.id
