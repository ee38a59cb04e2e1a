// One page of relations per query, each anchored on a source (the relations
// whose evidence quotes it, found through their key nodes' links to it,
// create_relations.cypher), in any order, with the actors at the ends of the
// pages' relations. The filters, the order and the cursor as in
// relation_pages_ordered.cypher (the id order forward is `orderBy: 'id'`); the
// `kept` step stands for the `where` condition (src/store/neo4j.rs, `with_where`).
UNWIND range(0, size($queries) - 1) AS i
WITH i, $queries[i] AS q
CALL (q) {
  MATCH (:Source {id: q.source})<-[:CITES]-(k:RelationKey)
  MATCH (:Actor {id: k.from})-[r]->(:Actor)
  WHERE r.id = k.id
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
