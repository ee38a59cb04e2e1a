// Creates relations between existing actors, each with its key node
// (`(:RelationKey {id, from})`, unique by id across all types, which is how a
// relation is found by id), linked to the sources its evidence quotes
// (`(k)-[:CITES]->(:Source)`, how a source's relations are found). The id must not
// be an actor's or a source's (their registry, `RecordId`, setup.cypher). A relationship type cannot be a parameter, so each
// type has its own CREATE, chosen by the FOREACH/CASE idiom; no type is ever
// spliced into the query text. Relations being replaced are deleted first
// (delete_relations.cypher), so CREATE never duplicates an id.
UNWIND $rows AS row
MATCH (a:Actor {id: row.props.from})
MATCH (b:Actor {id: row.props.to})
FOREACH (_ IN CASE WHEN row.type = 'CONTRACT' THEN [1] ELSE [] END |
  CREATE (a)-[r:CONTRACT]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'LOBBYING' THEN [1] ELSE [] END |
  CREATE (a)-[r:LOBBYING]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'LEASE' THEN [1] ELSE [] END |
  CREATE (a)-[r:LEASE]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'REGULATION' THEN [1] ELSE [] END |
  CREATE (a)-[r:REGULATION]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'POSITION' THEN [1] ELSE [] END |
  CREATE (a)-[r:POSITION]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'MEMBERSHIP' THEN [1] ELSE [] END |
  CREATE (a)-[r:MEMBERSHIP]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'OWNERSHIP' THEN [1] ELSE [] END |
  CREATE (a)-[r:OWNERSHIP]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'SUPPORT' THEN [1] ELSE [] END |
  CREATE (a)-[r:SUPPORT]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'STATEMENT' THEN [1] ELSE [] END |
  CREATE (a)-[r:STATEMENT]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'CRITICISM' THEN [1] ELSE [] END |
  CREATE (a)-[r:CRITICISM]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'ATTENDANCE' THEN [1] ELSE [] END |
  CREATE (a)-[r:ATTENDANCE]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'VENUE' THEN [1] ELSE [] END |
  CREATE (a)-[r:VENUE]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'USAGE' THEN [1] ELSE [] END |
  CREATE (a)-[r:USAGE]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'PART_OF' THEN [1] ELSE [] END |
  CREATE (a)-[r:PART_OF]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'BASED_IN' THEN [1] ELSE [] END |
  CREATE (a)-[r:BASED_IN]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'PENDING_IN' THEN [1] ELSE [] END |
  CREATE (a)-[r:PENDING_IN]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'LINKED_WITH' THEN [1] ELSE [] END |
  CREATE (a)-[r:LINKED_WITH]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'EXPECTED_BENEFIT' THEN [1] ELSE [] END |
  CREATE (a)-[r:EXPECTED_BENEFIT]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'EXPECTED_HARM' THEN [1] ELSE [] END |
  CREATE (a)-[r:EXPECTED_HARM]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'MARKET_PRESENCE' THEN [1] ELSE [] END |
  CREATE (a)-[r:MARKET_PRESENCE]->(b) SET r = row.props)
FOREACH (_ IN CASE WHEN row.type = 'PRODUCTION' THEN [1] ELSE [] END |
  CREATE (a)-[r:PRODUCTION]->(b) SET r = row.props)
MERGE (k:RelationKey {id: row.props.id})
SET k.from = row.props.from
WITH k, row
CALL (k, row) {
  UNWIND coalesce(row.props.evidenceSources, []) AS sourceId
  MATCH (s:Source {id: sourceId})
  MERGE (k)-[:CITES]->(s)
}
WITH row
OPTIONAL MATCH (i:RecordId {id: row.props.id})
WITH row, i
WHERE i IS NOT NULL
// An actor or a source holds the id: a second RecordId of it breaks the
// constraint `record_id`, which refuses the whole transaction.
CREATE (:RecordId {id: row.props.id})
