// The dated relations of the whole graph, in timeline order (as in
// timeline_of_actor.cypher).
MATCH (:Actor)-[r]->(:Actor)
WHERE (size($types) = 0 OR type(r) IN $types)
  AND (r.startDate IS NOT NULL OR r.endDate IS NOT NULL)
WITH r ORDER BY coalesce(r.startDate, r.endDate), r.id LIMIT $limit
RETURN r {.*, type: type(r)} AS relation
