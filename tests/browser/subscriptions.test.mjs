// The "done when" of the writes issue, end to end with real clients: a script
// imports a new article over HTTP with an API key, sees it in queries and in a
// live subscription (the npm graphql-ws client over WebSocket), re-runs the import
// with nothing changed, and gets every problem of a broken document with nothing
// written. On the embedded store, and on the Neo4j store over Bolt when a Bolt
// server is configured (ArcadeDB in CI).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { runBinary, startServer } from './server.mjs';

const adminKey = randomBytes(24).toString('hex');
const keyEntry = `admin:${createHash('sha256').update(adminKey).digest('hex')}:import-script`;

/// A second article: a new source, two new actors, relations to the CIA and KT.
const QUOTE_1 = 'The National Security Agency signed its own cloud deal after the CIA.';
const QUOTE_2 = 'KT said it would host the agency\'s Korean data.';
const article = {
  sources: [{
    id: 'nsa-cloud-2015', title: 'A second article', language: 'en',
    text: `${QUOTE_1} Analysts were surprised. ${QUOTE_2}`,
  }],
  actors: [
    { id: 'nsa', kind: 'GOVERNMENT_AGENCY', nameEn: 'National Security Agency', nameKo: '국가안보국', aliases: ['NSA'] },
    { id: 'nsa-cloud-unit', kind: 'GOVERNMENT_AGENCY', nameEn: 'NSA Cloud Unit' },
  ],
  relations: [
    { id: 'nsa-follows-cia', type: 'SUPPORT', from: 'nsa', to: 'cia', summary: 'The NSA followed the CIA.',
      start: '2015', evidence: [{ source: 'nsa-cloud-2015', quote: QUOTE_1 }] },
    { id: 'kt-hosts-nsa', type: 'CONTRACT', from: 'kt', to: 'nsa', summary: 'KT hosts NSA data.',
      evidence: [{ source: 'nsa-cloud-2015', quote: QUOTE_2 }] },
  ],
};

const IMPORT = `mutation($doc: JSON!) { importGraph(document: $doc) {
  changed actors { created updated unchanged } relations { created updated unchanged } } }`;

async function graphql(base, query, variables = {}, key = adminKey) {
  const headers = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return res.json();
}

/// A subscription whose events queue up until taken.
function subscribe(client, query) {
  const events = [];
  const waiting = [];
  const errors = [];
  const dispose = client.subscribe({ query }, {
    next: (value) => {
      events.push(value);
      while (waiting.length && events.length >= waiting[0].n) waiting.shift().resolve();
    },
    error: (e) => errors.push(e),
    complete: () => {},
  });
  return {
    errors,
    dispose,
    /// The next `n` events (removed from the queue), or a rejection after 10 s.
    async take(n) {
      if (events.length < n) {
        await new Promise((resolve, reject) => {
          waiting.push({ n, resolve });
          setTimeout(() => reject(new Error(`only ${events.length} of ${n} events within 10 s: ${JSON.stringify(events)}`)), 10_000);
        });
      }
      return events.splice(0, n);
    },
    pending: () => events.length,
  };
}

/// Waits until the server serves `n` subscriptions (its /health says how many).
async function subscribed(base, n) {
  for (let i = 0; i < 100; i += 1) {
    const health = await (await fetch(`${base}/health`)).json();
    if (health.subscriptions >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server never served ${n} subscriptions`);
}

function client(ws, connectionParams) {
  const closed = [];
  const c = createClient({
    url: ws, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams,
    on: { closed: (e) => closed.push(e) },
  });
  c.closedEvents = closed;
  return c;
}

async function scenario(server) {
  const ws = client(server.ws);
  try {
    const actors = subscribe(ws, 'subscription { actorChanged { change by actor { id nameEn nameKo version createdBy } } }');
    const ciaRelations = subscribe(ws, `subscription { relationChanged(actorId: "cia") {
      change by relation { id type from { id } to { id nameEn } evidence { quote source { id } } } } }`);
    await subscribed(server.base, 2);

    // Writes need a key.
    const anonymous = await graphql(server.base, IMPORT, { doc: article }, null);
    assert.equal(anonymous.errors[0].extensions.code, 'UNAUTHENTICATED');

    // The import, with the admin key.
    const first = await graphql(server.base, IMPORT, { doc: article });
    assert.equal(first.errors, undefined, JSON.stringify(first));
    assert.deepEqual(first.data.importGraph, {
      changed: true,
      actors: { created: 2, updated: 0, unchanged: 0 },
      relations: { created: 2, updated: 0, unchanged: 0 },
    });

    // Live: the two actors, and the one relation that touches the CIA, with its evidence.
    const created = await actors.take(2);
    assert.deepEqual(created.map((e) => [e.data.actorChanged.change, e.data.actorChanged.actor.id]).sort(),
      [['CREATED', 'nsa'], ['CREATED', 'nsa-cloud-unit']]);
    assert.ok(created.every((e) => e.data.actorChanged.by === 'import-script' && e.data.actorChanged.actor.createdBy === 'import-script'));
    const [rel] = await ciaRelations.take(1);
    assert.equal(rel.data.relationChanged.change, 'CREATED');
    assert.equal(rel.data.relationChanged.relation.id, 'nsa-follows-cia');
    assert.equal(rel.data.relationChanged.relation.to.nameEn, 'Central Intelligence Agency');
    assert.deepEqual(rel.data.relationChanged.relation.evidence, [{ quote: QUOTE_1, source: { id: 'nsa-cloud-2015' } }]);

    // In queries, in both languages.
    const read = await graphql(server.base, `{ actor(id: "nsa") { nameEn version relations { totalCount } }
      actors(search: "국가안보") { edges { node { id } } } }`, {}, null);
    assert.equal(read.data.actor.nameEn, 'National Security Agency');
    assert.equal(read.data.actor.relations.totalCount, 2);
    assert.equal(read.data.actors.edges[0].node.id, 'nsa');

    // The same import again changes nothing.
    const again = await graphql(server.base, IMPORT, { doc: article });
    assert.deepEqual(again.data.importGraph, {
      changed: false,
      actors: { created: 0, updated: 0, unchanged: 2 },
      relations: { created: 0, updated: 0, unchanged: 2 },
    });

    // A broken document: every problem, nothing written.
    const broken = structuredClone(article);
    broken.actors.push({ id: 'Bad Id', kind: 'SPY_AGENCY' });
    broken.relations.push({ id: 'ghost-relation', type: 'SUPPORT', from: 'nsa', to: 'nobody-known', summary: 's',
      evidence: [{ source: 'nsa-cloud-2015', quote: 'A sentence nobody wrote.' }] });
    broken.actors[0].nameEn = 'Changed, but must not be written';
    const refused = await graphql(server.base, IMPORT, { doc: broken });
    assert.equal(refused.data, null);
    assert.equal(refused.errors[0].extensions.code, 'BAD_USER_INPUT');
    const paths = refused.errors[0].extensions.problems.map((p) => p.path);
    for (const p of ['/actors/2/id', '/actors/2/kind', '/relations/2/to', '/relations/2/evidence/0/quote']) {
      assert.ok(paths.includes(p), `${p} in ${paths}`);
    }
    const after = await graphql(server.base, '{ actor(id: "nsa") { nameEn version } relation(id: "ghost-relation") { id } }', {}, null);
    assert.deepEqual(after.data, { actor: { nameEn: 'National Security Agency', version: 1 }, relation: null });

    // The next change published is this update: the re-run and the refused
    // import published nothing.
    const update = await graphql(server.base, 'mutation { updateActor(id: "nsa", input: {description: "US signals intelligence"}, expectedVersion: 1) { version } }');
    assert.equal(update.data.updateActor.version, 2);
    const [next] = await actors.take(1);
    assert.equal(next.data.actorChanged.change, 'UPDATED');
    assert.equal(next.data.actorChanged.actor.version, 2);
    assert.equal(ciaRelations.pending(), 0);
    assert.deepEqual(actors.errors, []);
    actors.dispose();
    ciaRelations.dispose();
  } finally {
    await ws.dispose();
  }
}

test('an import over HTTP is seen in queries and live by a graphql-ws client (embedded store)', async () => {
  const server = await startServer({ env: { ACTORGRAPH_API_KEYS: keyEntry } });
  try {
    await scenario(server);
  } finally {
    server.stop();
  }
});

test('the same on the Neo4j store over Bolt', async (t) => {
  const uri = process.env.NEO4J_URI;
  if (!uri) {
    if (process.env.CI) throw new Error('CI must run this against the Bolt server (NEO4J_URI)');
    t.skip('NEO4J_URI is not set (scripts/arcadedb start)');
    return;
  }
  // A database of its own, made through ArcadeDB's HTTP API (as the Rust tests do).
  const admin = process.env.ARCADEDB_HTTP_URL ?? 'http://127.0.0.1:2480';
  const auth = 'Basic ' + Buffer.from(`${process.env.NEO4J_USER ?? 'root'}:${process.env.NEO4J_PASSWORD ?? ''}`).toString('base64');
  const database = `ws${process.pid}`;
  const command = async (c) => {
    const res = await fetch(`${admin}/api/v1/server`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ command: c }),
    });
    assert.ok(res.ok, `${c}: ${res.status} ${await res.text()}`);
  };
  await command(`create database ${database}`);
  const neo4j = {
    NEO4J_URI: uri, NEO4J_USER: process.env.NEO4J_USER ?? 'root', NEO4J_PASSWORD: process.env.NEO4J_PASSWORD ?? '',
    NEO4J_DATABASE: database,
  };
  let server;
  try {
    await runBinary(['seed'], neo4j);
    server = await startServer({ neo4j, env: { ACTORGRAPH_API_KEYS: keyEntry } });
    const health = await (await fetch(`${server.base}/health`)).json();
    assert.equal(health.store, 'neo4j');
    await scenario(server);
  } finally {
    server?.stop();
    await command(`drop database ${database}`);
  }
});

test('when reads need a key, a subscription needs it in connection_init', async () => {
  const server = await startServer({ args: ['--require-key-for-reads'], env: { ACTORGRAPH_API_KEYS: keyEntry } });
  try {
    const anonymous = client(server.ws);
    const refused = subscribe(anonymous, 'subscription { actorChanged { change } }');
    for (let i = 0; i < 100 && anonymous.closedEvents.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.equal(anonymous.closedEvents[0]?.code, 4403, 'closed as forbidden');
    assert.ok(refused.errors.length > 0);
    await anonymous.dispose();

    const keyed = client(server.ws, { Authorization: `Bearer ${adminKey}` });
    const actors = subscribe(keyed, 'subscription { actorChanged(id: "kt") { change actor { id description } } }');
    await subscribed(server.base, 1);
    const update = await graphql(server.base, 'mutation { updateActor(id: "kt", input: {description: "telecom"}) { version } }');
    assert.equal(update.errors, undefined, JSON.stringify(update));
    const [event] = await actors.take(1);
    assert.deepEqual(event.data.actorChanged, { change: 'UPDATED', actor: { id: 'kt', description: 'telecom' } });
    await keyed.dispose();
  } finally {
    server.stop();
  }
});
