// The relations with the given ids, whatever their type; unknown ids give no row.
MATCH (:Actor)-[r]->(:Actor)
WHERE r.id IN $ids
RETURN r {.*, type: type(r)} AS relation
