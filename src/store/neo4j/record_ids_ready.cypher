// Whether every record has its entry in the registry of ids (set by
// backfill_record_ids.cypher).
OPTIONAL MATCH (done:GraphCount {key: 'recordIds'})
RETURN done IS NOT NULL AS ready
