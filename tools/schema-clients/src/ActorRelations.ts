// An actor's relations as a Relay connection, paged forward and backward.
import { graphql } from 'relay-runtime';

export const actorRelations = graphql`
  fragment ActorRelations_actor on Actor
  @refetchable(queryName: "ActorRelationsPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
  ) {
    relations(first: $count, after: $cursor, orderBy: { field: START })
      @connection(key: "ActorRelations_relations") {
      totalCount
      edges { node { id ...RelationRow_relation } }
    }
  }
`;
