// The sources with the given ids, with their full text.
UNWIND $ids AS id
MATCH (s:Source {id: id})
RETURN s {.*} AS source
