// Constraints and indexes the Neo4j store needs; every statement is idempotent
// (IF NOT EXISTS) and runs at start-up and before seeding. Statements are separated
// by semicolons at the end of a line.
CREATE CONSTRAINT actor_id IF NOT EXISTS FOR (a:Actor) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT source_id IF NOT EXISTS FOR (s:Source) REQUIRE s.id IS UNIQUE;
CREATE CONSTRAINT claim_id IF NOT EXISTS FOR (c:Claim) REQUIRE c.id IS UNIQUE;
// Ids are unique across actors, sources and relations (Relay's `node(id:)`): every
// actor and source has one (:RecordId {id, kind}) node, which the statements that
// write and delete them keep (backfill_record_ids.cypher gives one to older
// records); relations have their key nodes, and the statements writing either
// kind look the id up in the other's (upsert_actors.cypher, create_relations.cypher).
CREATE CONSTRAINT record_id IF NOT EXISTS FOR (i:RecordId) REQUIRE i.id IS UNIQUE;
// Source search: `searchText` holds the folded full text (src/domain/text.rs);
// the text index serves `CONTAINS` (search_sources.cypher).
CREATE TEXT INDEX source_search IF NOT EXISTS FOR (s:Source) ON (s.searchText);
CREATE INDEX actor_kind IF NOT EXISTS FOR (a:Actor) ON (a.kind);
// The one node every write transaction writes first (see lock.cypher).
CREATE CONSTRAINT write_lock_id IF NOT EXISTS FOR (l:WriteLock) REQUIRE l.id IS UNIQUE;
MERGE (l:WriteLock {id: 'graph'});
// Name search: `searchText` holds the folded names and aliases joined by `|`.
// Searches of one character use the text index; longer ones the name index
// (name_grams.cypher, search_actors.cypher).
CREATE TEXT INDEX actor_search IF NOT EXISTS FOR (a:Actor) ON (a.searchText);
CREATE CONSTRAINT actor_name_id IF NOT EXISTS FOR (k:ActorName) REQUIRE k.id IS UNIQUE;
CREATE CONSTRAINT name_gram_g IF NOT EXISTS FOR (g:NameGram) REQUIRE g.g IS UNIQUE;
// Relation ids are unique across types through their key nodes (create_relations
// .cypher), which also make finding a relation by id an index seek.
CREATE CONSTRAINT relation_key_id IF NOT EXISTS FOR (k:RelationKey) REQUIRE k.id IS UNIQUE;
// And unique per relationship type on the relationships themselves (Neo4j 5.7+).
CREATE CONSTRAINT contract_id IF NOT EXISTS FOR ()-[r:CONTRACT]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT lobbying_id IF NOT EXISTS FOR ()-[r:LOBBYING]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT lease_id IF NOT EXISTS FOR ()-[r:LEASE]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT regulation_id IF NOT EXISTS FOR ()-[r:REGULATION]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT position_id IF NOT EXISTS FOR ()-[r:POSITION]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT membership_id IF NOT EXISTS FOR ()-[r:MEMBERSHIP]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT ownership_id IF NOT EXISTS FOR ()-[r:OWNERSHIP]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT support_id IF NOT EXISTS FOR ()-[r:SUPPORT]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT statement_id IF NOT EXISTS FOR ()-[r:STATEMENT]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT criticism_id IF NOT EXISTS FOR ()-[r:CRITICISM]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT attendance_id IF NOT EXISTS FOR ()-[r:ATTENDANCE]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT venue_id IF NOT EXISTS FOR ()-[r:VENUE]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT usage_id IF NOT EXISTS FOR ()-[r:USAGE]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT part_of_id IF NOT EXISTS FOR ()-[r:PART_OF]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT based_in_id IF NOT EXISTS FOR ()-[r:BASED_IN]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT pending_in_id IF NOT EXISTS FOR ()-[r:PENDING_IN]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT linked_with_id IF NOT EXISTS FOR ()-[r:LINKED_WITH]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT expected_benefit_id IF NOT EXISTS FOR ()-[r:EXPECTED_BENEFIT]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT expected_harm_id IF NOT EXISTS FOR ()-[r:EXPECTED_HARM]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT market_presence_id IF NOT EXISTS FOR ()-[r:MARKET_PRESENCE]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT production_id IF NOT EXISTS FOR ()-[r:PRODUCTION]-() REQUIRE r.id IS UNIQUE;
// The change log: one node per change, numbered without gaps under the write lock
// (append_changes.cypher); the number is unique, and history reads by record id.
CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE;
CREATE INDEX change_record IF NOT EXISTS FOR (c:Change) ON (c.id);
// The graph's maintained counts (count_changes.cypher), one node per count.
CREATE CONSTRAINT graph_count_key IF NOT EXISTS FOR (c:GraphCount) REQUIRE c.key IS UNIQUE;
