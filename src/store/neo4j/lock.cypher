// Serialises writes: every write transaction (a record write or an import) first
// writes this one node, so a second writer waits for the first to commit (Neo4j
// locks the node) or fails at commit and retries (ArcadeDB checks versions). The
// node is created by setup.cypher; MERGE only guards against a database set up by
// an older version.
MERGE (l:WriteLock {id: 'graph'})
SET l.at = $at
