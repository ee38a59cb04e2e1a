// A page of claims in id order after $after (empty: from the first), of one
// source and in one review state when given (null: any). One more than the page
// is read, to tell whether another page follows.
MATCH (c:Claim)
WHERE c.id > $after
  AND ($source IS NULL OR c.source = $source)
  AND ($review IS NULL OR c.review = $review)
RETURN c {.content, .version, .createdAt, .createdBy, .updatedAt, .updatedBy} AS claim
ORDER BY c.id
LIMIT $limit
