// An actor's card: refetchable by id through `node`, with its latest relations
// and their aggregate.
import { graphql } from 'relay-runtime';

export const actorCard = graphql`
  fragment ActorCard_actor on Actor @refetchable(queryName: "ActorCardRefetchQuery") {
    id
    name
    nameKo
    kind
    aliases
    relations(first: 5, orderBy: { field: START, direction: DESC }) {
      aggregate {
        count
        amounts { currency sum }
        start { earliest latest }
        byOtherEndKind { kind count }
      }
      edges { node { id ...RelationRow_relation } }
    }
  }
`;
