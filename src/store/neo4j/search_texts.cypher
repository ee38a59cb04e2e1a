// What the name index is built from at start-up (name_grams.cypher), for a
// database that has none: every actor's id, kind and searchText.
MATCH (a:Actor)
RETURN a {.id, .kind, .searchText} AS actor
