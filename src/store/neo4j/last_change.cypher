// The number of the change log's last entry (0 when it is empty): the lock node
// holds it, set in the transaction that appended the entry.
OPTIONAL MATCH (l:WriteLock {id: 'graph'})
RETURN coalesce(l.seq, 0) AS seq
