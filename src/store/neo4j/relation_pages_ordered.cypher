// One page of relations per query, each anchored on an actor, in another order
// than by id forward (`orderBy`, or Relay's `last`/`before`), with the actors at
// the ends of the pages' relations (as relation_pages_of_actors_with_ends.cypher,
// whose filters it shares). Each query says:
// - q.orderBy: the sort key, 'id' | 'start' | 'end' | 'type' | 'amount' (the
//   amount in q.currency; relations without one have no key);
// - q.keyDesc: whether keys, then ids, are read descending;
// - q.absentFirst: whether relations without the key are read first;
// - q.after: null, or the cursor's position {absent, key, id}.
// A sort cannot take its direction from a parameter, so the list is sorted
// ascending, with the group of relations without a key placed so that reversing
// the list (when q.keyDesc) puts it where q.absentFirst says; the page is then the
// relations after the cursor in that reading. Dates sort as written (zero-padded
// text at their precision). A relation's map carries its key as `sortKey` (the
// store ignores it): ArcadeDB gives null for a map projection nested in a map.
// The `kept` step stands for the `where` condition (src/store/neo4j.rs,
// `with_where`); it carries `q`, which the order reads after it.
UNWIND range(0, size($queries) - 1) AS i
WITH i, $queries[i] AS q
CALL (q) {
  MATCH (:Actor {id: q.actor})-[r]-(:Actor)
  WHERE (q.direction = 'BOTH'
         OR (q.direction = 'OUT' AND r.from = q.actor)
         OR (q.direction = 'IN' AND r.to = q.actor))
    AND (size(q.types) = 0 OR type(r) IN q.types)
    AND (q.asOf IS NULL OR (
         (r.startDate IS NULL
          OR left(r.startDate, CASE WHEN size(r.startDate) < size(q.asOf) THEN size(r.startDate) ELSE size(q.asOf) END)
             <= left(q.asOf, CASE WHEN size(r.startDate) < size(q.asOf) THEN size(r.startDate) ELSE size(q.asOf) END))
         AND (r.endDate IS NULL
          OR left(r.endDate, CASE WHEN size(r.endDate) < size(q.asOf) THEN size(r.endDate) ELSE size(q.asOf) END)
             >= left(q.asOf, CASE WHEN size(r.endDate) < size(q.asOf) THEN size(r.endDate) ELSE size(q.asOf) END))))
  WITH r, q, size(q.where) = 0 AS kept
  WHERE kept
  WITH r, CASE q.orderBy
      WHEN 'start' THEN r.startDate
      WHEN 'end' THEN r.endDate
      WHEN 'type' THEN type(r)
      WHEN 'amount' THEN CASE WHEN r.amountCurrency = q.currency THEN r.amountValue END
      ELSE r.id END AS key
  ORDER BY CASE WHEN q.absentFirst <> q.keyDesc THEN key IS NOT NULL ELSE key IS NULL END, key, r.id
  RETURN collect(r {.*, type: type(r), sortKey: key}) AS sorted
}
WITH i, q, CASE WHEN q.keyDesc THEN reverse(sorted) ELSE sorted END AS matched
WITH i, size(matched) AS total,
     [x IN matched WHERE q.after IS NULL OR (
        CASE
          WHEN (x.sortKey IS NULL) <> q.after.absent THEN (x.sortKey IS NULL) <> q.absentFirst
          WHEN x.sortKey IS NULL OR x.sortKey = q.after.key
            THEN CASE WHEN q.keyDesc THEN x.id < q.after.id ELSE x.id > q.after.id END
          ELSE CASE WHEN q.keyDesc THEN x.sortKey < q.after.key ELSE x.sortKey > q.after.key END
        END)][0..q.limit] AS page
ORDER BY i
WITH collect({i: i, total: total, page: page}) AS pages
CALL (pages) {
  UNWIND pages AS p
  UNWIND p.page AS x
  UNWIND [x.from, x.to] AS endId
  WITH DISTINCT endId
  MATCH (a:Actor {id: endId})
  RETURN collect(a {.id, .kind, .nameKo, .nameEn, .aliases, .description, .mergedIds,
    .version, .createdAt, .createdBy, .updatedAt, .updatedBy}) AS ends
}
RETURN pages, ends
