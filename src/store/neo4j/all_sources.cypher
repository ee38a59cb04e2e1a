// Every source, in id order.
MATCH (s:Source)
RETURN s {.*} AS source
ORDER BY s.id
