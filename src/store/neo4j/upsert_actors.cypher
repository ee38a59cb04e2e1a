// Creates or replaces actors, each with the common :Actor label and the label of
// its kind (e.g. :GovernmentAgency). Labels cannot be parameters, and ArcadeDB cannot
// add a label to an existing node (labels are record types there), so each kind has
// its own MERGE with both labels, chosen by the FOREACH/CASE idiom. An actor whose
// kind changes is deleted first by the seed command (delete_actors.cypher). Each
// actor holds its id in the registry of ids of every kind (`RecordId`, setup.cypher),
// and the ids of the actors merged into it.
UNWIND $rows AS row
FOREACH (_ IN CASE WHEN row.kind = 'COMPANY' THEN [1] ELSE [] END |
  MERGE (a:Actor:Company {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'GOVERNMENT' THEN [1] ELSE [] END |
  MERGE (a:Actor:Government {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'GOVERNMENT_AGENCY' THEN [1] ELSE [] END |
  MERGE (a:Actor:GovernmentAgency {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'ASSOCIATION' THEN [1] ELSE [] END |
  MERGE (a:Actor:Association {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'PERSON' THEN [1] ELSE [] END |
  MERGE (a:Actor:Person {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'LEGISLATURE' THEN [1] ELSE [] END |
  MERGE (a:Actor:Legislature {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'POLITICAL_PARTY' THEN [1] ELSE [] END |
  MERGE (a:Actor:PoliticalParty {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'BILL' THEN [1] ELSE [] END |
  MERGE (a:Actor:Bill {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'COUNTRY' THEN [1] ELSE [] END |
  MERGE (a:Actor:Country {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'PLACE' THEN [1] ELSE [] END |
  MERGE (a:Actor:Place {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'PRODUCT' THEN [1] ELSE [] END |
  MERGE (a:Actor:Product {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'EVENT' THEN [1] ELSE [] END |
  MERGE (a:Actor:Event {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'SECTOR' THEN [1] ELSE [] END |
  MERGE (a:Actor:Sector {id: row.id}) SET a = row)
FOREACH (_ IN CASE WHEN row.kind = 'MARKET' THEN [1] ELSE [] END |
  MERGE (a:Actor:Market {id: row.id}) SET a = row)
// The ids of actors merged into this one stay taken, and lead to it
// (actors_by_ids.cypher).
FOREACH (merged IN coalesce(row.mergedIds, []) |
  MERGE (m:RecordId {id: merged})
  ON CREATE SET m.kind = 'actor'
  SET m.actor = row.id)
WITH row
MERGE (i:RecordId {id: row.id})
ON CREATE SET i.kind = 'actor'
WITH row, i
OPTIONAL MATCH (k:RelationKey {id: row.id})
WITH row, i, k
WHERE i.kind <> 'actor' OR k IS NOT NULL
// Another kind holds the id: a second RecordId of it breaks the constraint
// `record_id`, which refuses the whole transaction.
CREATE (:RecordId {id: row.id})
