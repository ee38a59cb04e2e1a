// Serves the Neo4j GraphQL Library (Apollo Server, standalone) over the database of
// NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE, on PORT.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";
import { typeDefs } from "./schema.mjs";

const env = (name, fallback) => process.env[name] ?? fallback;
const driver = neo4j.driver(
  env("NEO4J_URI", "bolt://127.0.0.1:7687"),
  neo4j.auth.basic(env("NEO4J_USER", "neo4j"), env("NEO4J_PASSWORD", "neo4j")),
);
const database = env("NEO4J_DATABASE", undefined);

// Every statement goes through one wrapper of the driver, which
// - drops the `CYPHER 5` prefix the library puts first: ArcadeDB, our stand-in for
//   Neo4j, rejects it (docs/neo4j.md), and it changes nothing on Neo4j 5;
// - with CAPTURE=1, prints each statement as one JSON line {cypher, params} on
//   stderr, so that the benchmark can replay the library's own Cypher.
const capture = process.env.CAPTURE === "1";
const adapt = (cypher, params) => {
  const text = cypher.replace(/^CYPHER 5\s+/, "");
  if (capture) process.stderr.write(JSON.stringify({ cypher: text, params }) + "\n");
  return text;
};
const openSession = driver.session.bind(driver);
driver.session = (...args) => {
  const session = openSession(...args);
  const run = session.run.bind(session);
  session.run = (cypher, params, ...rest) => run(adapt(cypher, params), params, ...rest);
  for (const method of ["executeRead", "executeWrite"]) {
    const execute = session[method].bind(session);
    session[method] = (work, ...rest) =>
      execute((tx) => {
        const txRun = tx.run.bind(tx);
        tx.run = (cypher, params, ...more) => txRun(adapt(cypher, params), params, ...more);
        return work(tx);
      }, ...rest);
  }
  const begin = session.beginTransaction.bind(session);
  session.beginTransaction = (...rest) => {
    const tx = begin(...rest);
    const txRun = tx.run.bind(tx);
    tx.run = (cypher, params, ...more) => txRun(adapt(cypher, params), params, ...more);
    return tx;
  };
  return session;
};

const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(env("PORT", "4000")) },
  context: async () => ({ sessionConfig: database ? { database } : undefined }),
});
console.log(`the Neo4j GraphQL Library listens at ${url}`);
