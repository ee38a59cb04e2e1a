// The playground in a real browser: Debian's Chromium driven by playwright-core,
// against the actorgraph binary (see server.mjs). Run by scripts/test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { artifacts, openPage, skip, start } from './server.mjs';

const editorKey = randomBytes(24).toString('hex');
const keyEntry = `editor:${createHash('sha256').update(editorKey).digest('hex')}:playground-test`;

let env;
before(async () => {
  if (!skip) env = await start({ env: { ACTORGRAPH_API_KEYS: keyEntry } });
});
after(async () => env?.stop());

test('the playground opens on the example query and running it shows the CIA contract with its quote', { skip }, async () => {
  const { page, context, outside } = await openPage(env);
  await page.goto(`${env.base}/playground`);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
  const editor = await page.locator('.graphiql-query-editor').innerText();
  assert.match(editor, /Who is connected to the CIA/);
  await page.click('.graphiql-execute-button');
  const result = page.locator('.result-window');
  await result.getByText('600000000').waitFor({ timeout: 30_000 });
  const text = await result.innerText();
  assert.match(text, /"type": "CONTRACT"/);
  assert.match(text, /6억 달러 규모의 계약/);
  await page.screenshot({ path: join(artifacts, 'playground.png') });
  assert.deepEqual(outside, [], 'the playground loads nothing from outside this server');
  await context.close();
});

test("the playground's other tabs answer the analysts' questions: Amazon's contracts by currency, the act's ties oldest first, the sentences naming an agency", { skip }, async () => {
  const { page, context } = await openPage(env);
  await page.goto(`${env.base}/playground`);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
  const tabs = page.locator('.graphiql-tab');
  assert.equal(await tabs.count(), 4);
  await tabs.nth(1).locator('.graphiql-tab-button').click();
  await page.locator('.graphiql-query-editor').getByText('contracts with Amazon').first().waitFor();
  await page.click('.graphiql-execute-button');
  const result = page.locator('.result-window');
  await result.getByText('600000000').first().waitFor({ timeout: 30_000 });
  const text = await result.innerText();
  assert.match(text, /"sum": 600000000/);
  assert.match(text, /"currency": "USD"/);
  await tabs.nth(2).locator('.graphiql-tab-button').click();
  await page.locator('.graphiql-query-editor').getByText('Cloud Development Act was tied to').first().waitFor();
  await page.click('.graphiql-execute-button');
  await result.getByText('"startDate"').first().waitFor({ timeout: 30_000 });
  // The result window draws only the lines in view (the Rust tests check the
  // whole answer): those are in date order, within the range, without errors.
  const shown = await result.innerText();
  assert.doesNotMatch(shown, /"errors"/);
  const dates = [...shown.matchAll(/"startDate": "([0-9-]+)"/g)].map((m) => m[1]);
  assert.ok(dates.length >= 1, shown);
  assert.deepEqual(dates, [...dates].sort(), 'oldest first');
  assert.ok(dates.every((d) => d >= '2013' && d < '2016'), dates.join(' '));
  await tabs.nth(3).locator('.graphiql-tab-button').click();
  await page.locator('.graphiql-query-editor').getByText('Which sentences of which articles').first().waitFor();
  await page.click('.graphiql-execute-button');
  await result.getByText('"matchCount"').first().waitFor({ timeout: 30_000 });
  const sentences = await result.innerText();
  assert.doesNotMatch(sentences, /"errors"/);
  assert.match(sentences, /"totalCount": 0/);
  assert.match(sentences, /중앙정보국\(CIA\)/);
  await context.close();
});

test('a subscription run in the playground shows a change made elsewhere, with the key from the Headers tab', { skip }, async () => {
  const { page, context, outside, errors } = await openPage(env);
  const subscription = 'subscription { actorChanged(id: "kt") { change by actor { id description version } } }';
  // What a user types into the query editor and the Headers tab (GraphiQL keeps both in localStorage).
  await page.addInitScript(([query, key]) => {
    localStorage.setItem('graphiql:query', query);
    localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: `Bearer ${key}` }));
  }, [subscription, editorKey]);
  await page.goto(`${env.base}/playground`);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
  assert.match(await page.locator('.graphiql-query-editor').innerText(), /actorChanged/);
  await page.click('.graphiql-execute-button');
  // Wait until the server serves the subscription, then change KT over HTTP with the key.
  for (let i = 0; i < 100; i += 1) {
    const health = await (await fetch(`${env.base}/health`)).json();
    if (health.subscriptions >= 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const res = await fetch(`${env.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${editorKey}` },
    body: JSON.stringify({ query: 'mutation { updateActor(id: "kt", input: {description: "changed while watched"}) { version } }' }),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body));
  const result = page.locator('.result-window');
  await result.getByText('changed while watched').waitFor({ timeout: 30_000 });
  const text = await result.innerText();
  assert.match(text, /"change": "UPDATED"/);
  assert.match(text, /"by": "playground-test"/);
  await page.screenshot({ path: join(artifacts, 'playground-subscription.png') });
  assert.deepEqual(outside, [], 'nothing loaded from outside this server');
  assert.deepEqual(errors, []);
  await context.close();
});
