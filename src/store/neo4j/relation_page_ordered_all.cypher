// One page of the whole graph's relations (no actor), of some types (all when
// $types is empty), in another order than by id forward: the order, the reading
// and the cursor as in relation_pages_ordered.cypher ($orderBy, $currency,
// $keyDesc, $absentFirst, $after), with the total. Every relationship of the
// types is read and its key sorted (ArcadeDB sorts even for the id order, see
// docs/neo4j.md); only ids and keys are kept until the page is cut, then the
// page's relations are read by id. The store sorts the page again by its key
// (the lookups need not keep the order). `asOf` as in
// relation_pages_of_actors.cypher; the `kept` step stands for the `where`
// condition (src/store/neo4j.rs, `with_where`).
MATCH (:Actor)-[r]->(:Actor)
WHERE (size($types) = 0 OR type(r) IN $types)
  AND ($asOf IS NULL OR (
       (r.startDate IS NULL
        OR left(r.startDate, CASE WHEN size(r.startDate) < size($asOf) THEN size(r.startDate) ELSE size($asOf) END)
           <= left($asOf, CASE WHEN size(r.startDate) < size($asOf) THEN size(r.startDate) ELSE size($asOf) END))
       AND (r.endDate IS NULL
        OR left(r.endDate, CASE WHEN size(r.endDate) < size($asOf) THEN size(r.endDate) ELSE size($asOf) END)
           >= left($asOf, CASE WHEN size(r.endDate) < size($asOf) THEN size(r.endDate) ELSE size($asOf) END))))
  WITH r, size($where) = 0 AS kept
  WHERE kept
WITH r.id AS id, CASE $orderBy
    WHEN 'start' THEN r.startDate
    WHEN 'end' THEN r.endDate
    WHEN 'type' THEN type(r)
    WHEN 'amount' THEN CASE WHEN r.amountCurrency = $currency THEN r.amountValue END
    ELSE r.id END AS key
ORDER BY CASE WHEN $absentFirst <> $keyDesc THEN key IS NOT NULL ELSE key IS NULL END, key, id
WITH collect({sortKey: key, id: id}) AS sorted
WITH CASE WHEN $keyDesc THEN reverse(sorted) ELSE sorted END AS matched
WITH size(matched) AS total,
     [x IN matched WHERE $after IS NULL OR (
        CASE
          WHEN (x.sortKey IS NULL) <> $after.absent THEN (x.sortKey IS NULL) <> $absentFirst
          WHEN x.sortKey IS NULL OR x.sortKey = $after.key
            THEN CASE WHEN $keyDesc THEN x.id < $after.id ELSE x.id > $after.id END
          ELSE CASE WHEN $keyDesc THEN x.sortKey < $after.key ELSE x.sortKey > $after.key END
        END) | x.id][0..$limit] AS ids
CALL (ids) {
  UNWIND ids AS wanted
  MATCH (k:RelationKey {id: wanted})
  MATCH (:Actor {id: k.from})-[r]->(:Actor)
  WHERE r.id = wanted
  RETURN collect(r {.*, type: type(r)}) AS page
}
RETURN total, page
