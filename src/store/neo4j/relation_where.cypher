// The `where` condition of relation queries (src/domain/filter.rs), for the
// relationship `r`: $where is the condition in postfix order, each step a map:
// a test ({op: 'type' | 'from' | 'to' | 'currency' | 'amount' | 'date' |
// 'inferred' | 'exists' | 'status' | 'role' | 'source' | 'summary' | 'quote',
// field: 'start' | 'end', compare: 'gt' | 'gte' | 'lt' | 'lte', values, text,
// number, flag}) pushes its outcome, a test on an absent property being false;
// {op: 'all' | 'any', n} joins the last n outcomes, {op: 'not'} negates the last.
// An empty $where keeps every relation. Texts and values to compare without case
// come lowered. Dates compare at the coarser of the two precisions, as `asOf`.
// The expression is evaluated in a projection and filtered after: ArcadeDB gives
// no row for `reduce(…)` in a WHERE clause that it evaluates to true in a
// projection (docs/neo4j.md).
MATCH (:Actor)-[r]->(:Actor)
WITH r, size($where) = 0 OR reduce(stack = [], t IN $where |
  CASE t.op
    WHEN 'all' THEN stack[..size(stack) - t.n] + [all(b IN stack[size(stack) - t.n..] WHERE b)]
    WHEN 'any' THEN stack[..size(stack) - t.n] + [any(b IN stack[size(stack) - t.n..] WHERE b)]
    WHEN 'not' THEN stack[..size(stack) - 1] + [NOT stack[size(stack) - 1]]
    ELSE stack + [coalesce(
      CASE t.op
        WHEN 'type' THEN type(r) IN t.values
        WHEN 'from' THEN r.from IN t.values
        WHEN 'to' THEN r.to IN t.values
        WHEN 'currency' THEN r.amountCurrency = t.text
        WHEN 'amount' THEN r.amountCurrency = t.text AND CASE t.compare
          WHEN 'gt' THEN r.amountValue > t.number
          WHEN 'gte' THEN r.amountValue >= t.number
          WHEN 'lt' THEN r.amountValue < t.number
          ELSE r.amountValue <= t.number END
        WHEN 'date' THEN [d IN [CASE t.field WHEN 'start' THEN r.startDate ELSE r.endDate END] |
          [m IN [CASE WHEN size(d) < size(t.text) THEN size(d) ELSE size(t.text) END] |
            CASE t.compare
              WHEN 'gt' THEN left(d, m) > left(t.text, m)
              WHEN 'gte' THEN left(d, m) >= left(t.text, m)
              WHEN 'lt' THEN left(d, m) < left(t.text, m)
              ELSE left(d, m) <= left(t.text, m) END][0]][0]
        WHEN 'inferred' THEN CASE t.field
          WHEN 'start' THEN r.startDate IS NOT NULL AND coalesce(r.startInferred, false) = t.flag
          ELSE r.endDate IS NOT NULL AND coalesce(r.endInferred, false) = t.flag END
        WHEN 'exists' THEN (CASE t.field WHEN 'start' THEN r.startDate ELSE r.endDate END) IS NOT NULL
        WHEN 'status' THEN toLower(r.status) IN t.values
        WHEN 'role' THEN toLower(r.role) IN t.values
        WHEN 'source' THEN any(s IN r.evidenceSources WHERE s IN t.values)
        WHEN 'summary' THEN toLower(r.summary) CONTAINS t.text
        WHEN 'quote' THEN any(q IN r.evidenceQuotes WHERE toLower(q) CONTAINS t.text)
      END, false)]
  END)[0] AS kept
WHERE kept
RETURN r.id AS id
ORDER BY id
