// The actors with the given ids; unknown ids give no row.
UNWIND $ids AS id
MATCH (a:Actor {id: id})
RETURN a {.id, .kind, .nameKo, .nameEn, .aliases, .description,
  .version, .createdAt, .createdBy, .updatedAt, .updatedBy} AS actor
