// Gives an entry in the registry of ids (`RecordId`, setup.cypher) to every actor
// and source written before it existed; marks the registry whole
// (record_ids_ready.cypher), so that it runs once. Where two kinds already share
// an id (allowed then), the first entry stands for both: that id stays shared
// until one of them is renamed or deleted.
CALL () {
  MATCH (a:Actor)
  MERGE (i:RecordId {id: a.id})
  ON CREATE SET i.kind = 'actor'
}
CALL () {
  MATCH (s:Source)
  MERGE (i:RecordId {id: s.id})
  ON CREATE SET i.kind = 'source'
}
MERGE (done:GraphCount {key: 'recordIds'})
SET done.n = 1
