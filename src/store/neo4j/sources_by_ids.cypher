// The sources with the given ids, with their full text.
UNWIND $ids AS id
MATCH (s:Source {id: id})
RETURN s {.id, .title, .publisher, .language, .publishedDate, .publishedInferred,
  .publishedNote, .url, .note, .text, .version, .createdAt, .createdBy, .updatedAt,
  .updatedBy} AS source
