// A page of actors (no search) in another order than by id forward, with the
// total: filters as in find_actors.cypher; the order, the reading and the cursor
// as in relation_pages_ordered.cypher ($orderBy: 'id' | 'nameKo' | 'nameEn' |
// 'relations'; $keyDesc, $absentFirst, $after {absent, key, id}). Names compare
// lowered (Hangul syllables sort in dictionary order by code point); the number
// of relations counts the actor's relationships of every type, either way. Every
// actor that passes is read and keyed, ids and keys are kept until the page is
// cut, then the page's actors are read by id, in the page's order, with their keys
// as text (`keys`, in maps: `collect` leaves out nulls; the API needs the counts
// for the cursors).
MATCH (a:Actor)
WHERE (size($kinds) = 0 OR a.kind IN $kinds)
  AND all(c IN $relations WHERE [n IN [COUNT { (a)-[r]-(:Actor)
        WHERE (c.direction = 'BOTH' OR (c.direction = 'OUT' AND r.from = a.id)
               OR (c.direction = 'IN' AND r.to = a.id))
          AND (size(c.types) = 0 OR type(r) IN c.types) }]
      | n >= c.min AND (c.max IS NULL OR n <= c.max)][0])
WITH a.id AS id, CASE $orderBy
    WHEN 'nameKo' THEN toLower(a.nameKo)
    WHEN 'nameEn' THEN toLower(a.nameEn)
    WHEN 'relations' THEN COUNT { (a)-[]-(:Actor) }
    ELSE a.id END AS key
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
        END)][0..$limit] AS cut
CALL (cut) {
  UNWIND range(0, size(cut) - 1) AS i
  MATCH (a:Actor {id: cut[i].id})
  WITH i, a, cut[i].sortKey AS key
  ORDER BY i
  RETURN collect(a {.id, .kind, .nameKo, .nameEn, .aliases, .description, .mergedIds,
    .version, .createdAt, .createdBy, .updatedAt, .updatedBy}) AS page,
    collect({k: toString(key)}) AS keys
}
RETURN total, page, keys
