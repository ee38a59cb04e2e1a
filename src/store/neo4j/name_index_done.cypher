// Marks the name index as holding every actor (name_index_ready.cypher).
MERGE (done:GraphCount {key: 'named'})
SET done.n = 1
