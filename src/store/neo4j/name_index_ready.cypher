// Whether the name index (name_grams.cypher) holds every actor: set by the store
// when it has built the index at start-up (name_index_done.cypher); until then it
// searches by reading the actors (find_actors.cypher).
OPTIONAL MATCH (done:GraphCount {key: 'named'})
RETURN done IS NOT NULL AS ready
