// The limits of a request (README, "Limits") never refuse what real clients send:
// the introspection query GraphiQL sends (from the npm `graphql` package that
// makes it), the playground's example, and every query of the README.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getIntrospectionQuery } from 'graphql';
import { startServer } from './server.mjs';

const root = new URL('../../', import.meta.url);

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

async function run(query) {
  const r = await fetch(`${server.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  return { status: r.status, body: await r.json() };
}

test("GraphiQL's introspection query, with every option GraphiQL may turn on, passes the limits", async () => {
  const query = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  });
  const { status, body } = await run(query);
  assert.equal(status, 200, JSON.stringify(body.errors));
  assert.equal(body.errors, undefined);
  assert.ok(body.data.__schema.types.length > 20);
});

test('the playground example and every query of the README pass the limits', async () => {
  const example = readFileSync(new URL('src/http/example.graphql', root), 'utf8');
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
  // The curl example's query, from its JSON body.
  const curl = [...readme.matchAll(/"query":\s*\n?\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`));
  const queries = [example, ...blocks, ...curl].filter((q) => !/^\s*(subscription|mutation)\b/.test(q));
  assert.ok(queries.length >= 3, `found ${queries.length} queries`);
  for (const query of queries) {
    const { status, body } = await run(query);
    assert.equal(status, 200, `${query}\n${JSON.stringify(body.errors)}`);
    assert.equal(body.errors, undefined, query);
  }
});
