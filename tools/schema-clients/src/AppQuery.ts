// A page's query: any record by id, and an actor's relations.
import { graphql } from 'relay-runtime';

export const appQuery = graphql`
  query AppQuery($id: ID!) {
    node(id: $id) {
      __typename
      ...ActorCard_actor @alias
      ...RelationRow_relation @alias
      ...SourceCard_source @alias
    }
    actor(id: $id) { ...ActorRelations_actor }
  }
`;
