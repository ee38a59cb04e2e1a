// Appends the changes of one write (or one batch of an import) to the change log,
// in its transaction. The lock node, which the transaction wrote first, holds the
// last number given: entries get the next ones, without gaps, in commit order.
MATCH (l:WriteLock {id: 'graph'})
WITH l, coalesce(l.seq, 0) AS base
UNWIND range(0, size($rows) - 1) AS i
CREATE (c:Change)
SET c = $rows[i], c.seq = base + i + 1
WITH l, base, count(c) AS n
SET l.seq = base + n
