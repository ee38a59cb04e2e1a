// The Neo4j GraphQL Library's type definitions over actorgraph's own graph model
// (src/store/neo4j/): `(:Actor {id, kind, nameEn, nameKo, aliases, searchText})`
// nodes, joined by one relationship type per relation type, each relationship
// carrying the relation's `id` and `summary` among its properties. The library
// reads the very nodes and relationships actorgraph reads.

/** The relation types of the synthetic graph (src/synthetic.rs). */
export const TYPES = ["CONTRACT", "LOBBYING", "POSITION", "SUPPORT", "REGULATION"];

/** `CONTRACT` -> `contract`, the stem of the library's relationship fields. */
export const stem = (type) => type.toLowerCase();

const relationshipFields = TYPES.flatMap((t) => [
  `  ${stem(t)}Out: [Actor!]! @relationship(type: "${t}", direction: OUT, properties: "Rel")`,
  `  ${stem(t)}In: [Actor!]! @relationship(type: "${t}", direction: IN, properties: "Rel")`,
]).join("\n");

export const typeDefs = /* GraphQL */ `
type Actor @node {
  id: ID!
  kind: String!
  nameEn: String
  nameKo: String
  aliases: [String!]
  searchText: String
${relationshipFields}
}

type Rel @relationshipProperties {
  id: ID!
  summary: String
}

"A relation of one type with its ends' names: what a page of relations shows."
type RelationRow {
  id: ID!
  summary: String
  from: String
  to: String
}

type Query {
  "A page of contracts in id order: the library has no root query over relationships, so a user writes this one in Cypher."
  contractPage(first: Int!, after: String): [RelationRow!]!
    @cypher(
      statement: """
      MATCH (a:Actor)-[r:CONTRACT]->(b:Actor)
      WHERE $after IS NULL OR r.id > $after
      WITH a, r, b ORDER BY r.id LIMIT $first
      RETURN {id: r.id, summary: r.summary, from: coalesce(a.nameEn, a.nameKo), to: coalesce(b.nameEn, b.nameKo)} AS row
      """
      columnName: "row"
    )
  "How many contracts the graph holds."
  contractCount: Int!
    @cypher(statement: "MATCH (:Actor)-[r:CONTRACT]->(:Actor) RETURN count(r) AS n", columnName: "n")
}
`;
