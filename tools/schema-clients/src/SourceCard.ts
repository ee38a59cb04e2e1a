// A source document's card.
import { graphql } from 'relay-runtime';

export const sourceCard = graphql`
  fragment SourceCard_source on Source @refetchable(queryName: "SourceCardRefetchQuery") {
    id
    title
    language
    publisher
  }
`;
