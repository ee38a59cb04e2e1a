// A relation with its ends and the sentences that state it.
import { graphql } from 'relay-runtime';

export const relationRow = graphql`
  fragment RelationRow_relation on Relation @refetchable(queryName: "RelationRowRefetchQuery") {
    id
    type
    summary
    startDate
    amount { value currency }
    from { id name }
    to { id name }
    evidence { quote source { id ...SourceCard_source } }
  }
`;
