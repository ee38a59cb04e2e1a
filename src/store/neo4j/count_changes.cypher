// Keeps the graph's counts current: actors per kind (`actor:COMPANY`…), relations
// per type (`relation:CONTRACT`…) and sources (`source`), one (:GraphCount) node
// each, so that `stats` and a page's `totalCount` read a number instead of
// counting (ArcadeDB has no count store: a typed count reads every relationship of
// the type). One row per count a write changes, with the difference, computed
// from the write's change log entries; run in the write's transaction, after the
// writer lock, so that two writes never MERGE the same count at once.
UNWIND $deltas AS d
MERGE (c:GraphCount {key: d.key})
SET c.n = coalesce(c.n, 0) + d.n
