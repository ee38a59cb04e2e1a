// The side-by-side benchmark's queries: for each, actorgraph's query, the Neo4j
// GraphQL Library's query for the same rows, and how to read the rows out of each
// answer, so that the benchmark checks both servers answer the same before timing.
import { TYPES, stem } from "./schema.mjs";

const ROOT = "syn-0000042";
const SEARCH = "Synthetic Actor 4242";
/** The library filters the folded names that actorgraph stores (src/domain/search.rs). */
const FOLDED = "syntheticactor4242";

/** Two levels of relations from one actor, `types` each in its own list of 10. */
function nested(types) {
  const ours = (depth) =>
    types
      .map(
        (t) =>
          `${stem(t)}: relations(types: [${t}], direction: OUT, first: 10) { edges { node { id to { name ${depth > 1 ? ours(depth - 1) : ""} } } } }`,
      )
      .join(" ");
  const theirs = (depth) =>
    types
      .map(
        (t) =>
          `${stem(t)}OutConnection(first: 10, sort: [{ edge: { id: ASC } }]) { edges { properties { id } node { nameEn ${depth > 1 ? theirs(depth - 1) : ""} } } }`,
      )
      .join(" ");
  const rowsOurs = (actor, depth) => [
    actor.name,
    ...types.map((t) =>
      actor[stem(t)].edges.map((e) => [e.node.id, ...(depth > 1 ? rowsOurs(e.node.to, depth - 1) : [e.node.to.name])]),
    ),
  ];
  const rowsTheirs = (actor, depth) => [
    actor.nameEn,
    ...types.map((t) =>
      actor[`${stem(t)}OutConnection`].edges.map((e) => [
        e.properties.id,
        ...(depth > 1 ? rowsTheirs(e.node, depth - 1) : [e.node.nameEn]),
      ]),
    ),
  ];
  return {
    ours: `{ actor(id: "${ROOT}") { name ${ours(2)} } }`,
    theirs: `{ actors(where: { id: { eq: "${ROOT}" } }) { nameEn ${theirs(2)} } }`,
    rowsOurs: (d) => rowsOurs(d.actor, 2),
    rowsTheirs: (d) => rowsTheirs(d.actors[0], 2),
  };
}

export const QUERIES = {
  "nested-two-types": nested(["CONTRACT", "LOBBYING"]),
  "nested-all-types": nested(TYPES),
  "relations-page": {
    ours: `{ relations(types: [CONTRACT], first: 20) { totalCount edges { node { id summary from { name } to { name } } } } }`,
    theirs: `{ contractCount contractPage(first: 20) { id summary from to } }`,
    rowsOurs: (d) => [
      d.relations.totalCount,
      d.relations.edges.map(({ node: n }) => [n.id, n.summary, n.from.name, n.to.name]),
    ],
    rowsTheirs: (d) => [d.contractCount, d.contractPage.map((r) => [r.id, r.summary, r.from, r.to])],
  },
  search: {
    // Without the forgiven near names (`forgive: false`): the library has only `contains`.
    ours: `{ actors(search: "${SEARCH}", forgive: false, first: 10) { totalCount edges { node { id name kind } } } }`,
    theirs: `{ actorsConnection(first: 10, where: { searchText: { contains: "${FOLDED}" } }, sort: [{ id: ASC }]) { totalCount edges { node { id nameEn kind } } } }`,
    rowsOurs: (d) => [d.actors.totalCount, d.actors.edges.map(({ node: n }) => [n.id, n.name, n.kind])],
    rowsTheirs: (d) => [
      d.actorsConnection.totalCount,
      d.actorsConnection.edges.map(({ node: n }) => [n.id, n.nameEn, n.kind]),
    ],
  },
};
