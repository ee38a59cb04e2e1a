// The Node side of `scripts/bench --peer`:
//   node bench.mjs queries                  one line per query: name, then the JSON
//                                           bodies for actorgraph and the library
//   node bench.mjs check OURS_URL PEER_URL  both servers answer every query with the
//                                           same rows (exit 1 and show both if not)
//   node bench.mjs raw NAME CONNECTIONS SECONDS PEER_URL CAPTURE_FILE
//                                           replays the Cypher the library sent for
//                                           NAME straight through the driver, from
//                                           CONNECTIONS loops, and prints its rate
//                                           and latencies
import { readFileSync, statSync } from "node:fs";
import neo4j from "neo4j-driver";
import { QUERIES } from "./queries.mjs";

const [command, ...args] = process.argv.slice(2);

async function post(url, query) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${url}: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data;
}

if (command === "queries") {
  for (const [name, q] of Object.entries(QUERIES)) {
    console.log([name, JSON.stringify({ query: q.ours }), JSON.stringify({ query: q.theirs })].join("\t"));
  }
} else if (command === "check") {
  const [ours, peer] = args;
  let failed = false;
  for (const [name, q] of Object.entries(QUERIES)) {
    const a = JSON.stringify(q.rowsOurs(await post(ours, q.ours)));
    const b = JSON.stringify(q.rowsTheirs(await post(peer, q.theirs)));
    if (a === b) {
      console.log(`same rows  ${name} (${a.length} bytes of rows)`);
    } else {
      failed = true;
      console.log(`DIFFERENT  ${name}\n  actorgraph: ${a.slice(0, 400)}\n  library:    ${b.slice(0, 400)}`);
    }
  }
  process.exit(failed ? 1 : 0);
} else if (command === "raw") {
  const [name, connections, seconds, peer, captureFile] = args;
  // Have the library answer the query once, and take the statements it sent.
  const from = statSync(captureFile).size;
  await post(peer, QUERIES[name].theirs);
  const statements = readFileSync(captureFile)
    .subarray(from)
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((s) => !s.cypher.includes("dbms.components"));
  if (statements.length === 0) throw new Error(`no statement captured for ${name}`);
  // Integers arrive as {low, high}: make them the driver's integers again.
  const revive = (v) =>
    v && typeof v === "object"
      ? "low" in v && "high" in v && Object.keys(v).length === 2
        ? neo4j.int(v.low, v.high)
        : Array.isArray(v)
          ? v.map(revive)
          : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]))
      : v;
  const env = (n, f) => process.env[n] ?? f;
  const driver = neo4j.driver(
    env("NEO4J_URI", "bolt://127.0.0.1:7687"),
    neo4j.auth.basic(env("NEO4J_USER", "neo4j"), env("NEO4J_PASSWORD", "neo4j")),
    { maxConnectionPoolSize: Number(connections) + 2 },
  );
  const database = process.env.NEO4J_DATABASE;
  const once = async () => {
    const session = driver.session(database ? { database } : {});
    try {
      for (const s of statements) await session.executeRead((tx) => tx.run(s.cypher, revive(s.params)));
    } finally {
      await session.close();
    }
  };
  for (let i = 0; i < 20; i++) await once(); // warm-up
  const samples = [];
  const end = Date.now() + Number(seconds) * 1000;
  await Promise.all(
    Array.from({ length: Number(connections) }, async () => {
      while (Date.now() < end) {
        const t = process.hrtime.bigint();
        await once();
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  await driver.close();
  samples.sort((a, b) => a - b);
  const at = (p) => samples[Math.min(samples.length - 1, Math.round((samples.length - 1) * p))];
  console.log(
    `raw ${name} c${connections}: ${(samples.length / Number(seconds)).toFixed(1)} q/s p50 ${at(0.5).toFixed(2)} ms p99 ${at(0.99).toFixed(2)} ms (${statements.length} statement(s))`,
  );
} else {
  console.error("usage: node bench.mjs queries | check OURS_URL PEER_URL | raw NAME CONNECTIONS SECONDS PEER_URL CAPTURE_FILE");
  process.exit(2);
}
