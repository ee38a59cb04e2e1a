// The dated relations of one actor (either direction), in timeline order: by the
// start date, else the end date, as written (zero-padded strings at their
// precision, so text order is date order), then by id.
MATCH (:Actor {id: $actor})-[r]-(:Actor)
WHERE (size($types) = 0 OR type(r) IN $types)
  AND (r.startDate IS NOT NULL OR r.endDate IS NOT NULL)
WITH r ORDER BY coalesce(r.startDate, r.endDate), r.id LIMIT $limit
RETURN r {.*, type: type(r)} AS relation
