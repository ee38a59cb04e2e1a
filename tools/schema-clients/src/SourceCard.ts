// A source document's card, with the claims it states: its quotes in text
// order, and a page of the relations quoting it.
import { graphql } from 'relay-runtime';

export const sourceCard = graphql`
  fragment SourceCard_source on Source @refetchable(queryName: "SourceCardRefetchQuery") {
    id
    title
    language
    publisher
    evidence(first: 10) {
      quote
      start
      end
      relation { id type }
    }
    relations(first: 5) {
      totalCount
      aggregate { byType { type count } }
    }
  }
`;
