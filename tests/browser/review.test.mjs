// The review page in a real browser: an editor pastes an article, reads its
// claims in the highlighted text, accepts one from the keyboard (corroborating a
// stored relation), accepts one whose end is a new name by creating the actor,
// rejects one with a reason; an admin merges a duplicate actor. What the page did
// is then read back over GraphQL, history included. Run by scripts/test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { artifacts, clickElement, openPage, pick, skip, start } from './server.mjs';

const editorKey = randomBytes(24).toString('hex');
const adminKey = randomBytes(24).toString('hex');
const entry = (role, key, label) => `${role}:${createHash('sha256').update(key).digest('hex')}:${label}`;

let env;
before(async () => {
  if (!skip) {
    env = await start({
      env: { ACTORGRAPH_API_KEYS: [entry('editor', editorKey, 'desk-editor'), entry('admin', adminKey, 'desk-admin')].join(',') },
    });
  }
});
after(async () => env?.stop());

async function gql(query, variables = {}, key = adminKey) {
  const res = await fetch(`${env.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body));
  return body.data;
}

const ARTICLE = '실제로 중앙정보국(CIA)이 아마존과 6억 달러 규모의 계약을 맺었다. '
  + '한국소프트웨어산업협회는 국회에 클라우드법 통과를 촉구했다. KT는 국회를 비판했다.';

const claims = (page) => page.evaluate(() => window.review.state.claims);
const indexOf = async (page, test) => (await claims(page)).findIndex(test);

/// Moves the selection to claim `i` with the keyboard, from where it is.
async function selectByKeys(page, i) {
  await page.locator('#claims').first().focus();
  await page.keyboard.press('Escape');
  const at = await page.evaluate(() => window.review.state.selected);
  const key = i >= at ? 'j' : 'k';
  for (let n = 0; n < Math.abs(i - at); n++) await page.keyboard.press(key);
  assert.equal(await page.evaluate(() => window.review.state.selected), i);
}

async function reviewOf(page, id) {
  const item = page.locator(`#claims li[data-id="${id}"]`);
  await item.locator('.review').waitFor();
  return item;
}

test('an editor brings in an article and accepts, edits and rejects its claims from the keyboard', { skip }, async () => {
  const { page, context, outside, errors } = await openPage(env);
  await page.goto(`${env.base}/review`);
  await page.fill('#key', editorKey);
  await page.fill('#source-id', 'review-browser');
  await page.fill('#title', 'A follow-up on the cloud act');
  await page.fill('#published', '2015-04-10');
  await page.fill('#article-text', ARTICLE);
  await page.click('#read');
  await page.waitForFunction(() => window.review.state.claims.length > 0, null, { timeout: 15_000 });
  assert.match(await page.locator('#status').innerText(), /claims found in review-browser/);
  // The names and the claims' sentences are marked in the text.
  assert.ok(await page.locator('#text mark.known').count() >= 3, 'CIA, 아마존, 국회 and KT are marked');
  assert.ok(await page.locator('#text mark.new').count() >= 1, 'the new association is marked');
  assert.ok(await page.locator('#text .sentence').count() >= 3);
  assert.match(await page.locator('#new-names').innerText(), /클라우드법 — BILL/);

  // The contract corroborates the stored one: accepted with `a`.
  const contract = await indexOf(page, (c) => c.type === 'CONTRACT' && c.from.actor?.id === 'cia' && c.to.actor?.id === 'amazon');
  assert.ok(contract >= 0, JSON.stringify(await claims(page)));
  await selectByKeys(page, contract);
  assert.equal(await page.locator('#text .sentence.current').innerText(), '실제로 중앙정보국(CIA)이 아마존과 6억 달러 규모의 계약을 맺었다.');
  const contractId = (await claims(page))[contract].id;
  await page.keyboard.press('a');
  await page.locator(`#claims li[data-id="${contractId}"].ACCEPTED`).waitFor({ timeout: 15_000 });
  assert.match(await (await reviewOf(page, contractId)).innerText(), /accepted as cia-contract-amazon/);

  // The association is a new name: `e` opens the edit form, where the editor
  // gives the new actor an id, then accepts.
  const lobbying = await indexOf(page, (c) => c.type === 'LOBBYING' && c.from.isNew && c.to.actor?.id === 'national-assembly');
  assert.ok(lobbying >= 0, JSON.stringify(await claims(page)));
  const lobbyingId = (await claims(page))[lobbying].id;
  await selectByKeys(page, lobbying);
  await page.keyboard.press('e');
  const item = page.locator(`#claims li[data-id="${lobbyingId}"]`);
  await item.locator('.edit').waitFor();
  await item.locator('.from-choice').selectOption('new');
  await item.locator('.from-new-id').fill('korea-software-industry-association');
  await item.locator('.summary').fill('The association urged the National Assembly to pass the cloud act.');
  await item.locator('button.accept').click();
  await page.locator(`#claims li[data-id="${lobbyingId}"].ACCEPTED`).waitFor({ timeout: 15_000 });

  // The criticism is rejected with `r`, a reason and Enter.
  const criticism = await indexOf(page, (c) => c.type === 'CRITICISM' && c.from.actor?.id === 'kt');
  assert.ok(criticism >= 0, JSON.stringify(await claims(page)));
  const criticismId = (await claims(page))[criticism].id;
  await selectByKeys(page, criticism);
  await page.keyboard.press('r');
  await page.keyboard.type('The article gives no such criticism by KT.');
  await page.keyboard.press('Enter');
  await page.locator(`#claims li[data-id="${criticismId}"].REJECTED`).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(artifacts, 'review-claims.png') });

  // What the page wrote, read back: the relations with their quotes, and who did it.
  const d = await gql(`{
    contract: relation(id: "cia-contract-amazon") { evidence { quote source { id } } history { by change } }
    lobbying: relation(id: "korea-software-industry-association-lobbying-national-assembly") {
      summary createdBy from { id name(language: KO) } evidence { quote } }
    rejected: claims(sourceId: "review-browser", status: REJECTED) { edges { node { id reason history { by change } } } } }`);
  assert.ok(d.contract.evidence.some((e) => e.source.id === 'review-browser'));
  assert.deepEqual(d.contract.history.at(-1), { by: 'desk-editor', change: 'UPDATED' });
  assert.equal(d.lobbying.createdBy, 'desk-editor');
  assert.equal(d.lobbying.from.name, '한국소프트웨어산업협회');
  assert.equal(d.lobbying.evidence[0].quote, '한국소프트웨어산업협회는 국회에 클라우드법 통과를 촉구했다.');
  assert.equal(d.rejected.edges[0].node.id, criticismId);
  assert.deepEqual(d.rejected.edges[0].node.history.map((h) => h.change), ['CREATED', 'UPDATED']);

  // The explorer shows the accepted relation with its quote.
  await page.goto(`${env.base}/explore`);
  await pick(page, '#search', '한국소프트웨어산업협회', 'korea-software-industry-association');
  await page.waitForFunction(() => window.explorer.cy.getElementById('a:national-assembly').nonempty(), null, { timeout: 15_000 });
  await clickElement(page, 'r:korea-software-industry-association-lobbying-national-assembly');
  const quote = page.locator('#panel blockquote.evidence');
  await quote.first().waitFor({ timeout: 15_000 });
  assert.match(await quote.first().innerText(), /국회에 클라우드법 통과를 촉구했다/);

  // Opening the source again shows the reviews.
  await page.goto(`${env.base}/review?source=review-browser`);
  await page.waitForFunction(() => window.review.state.claims.length > 0, null, { timeout: 15_000 });
  assert.equal(await page.locator('#claims li.ACCEPTED').count(), 2);
  assert.equal(await page.locator('#claims li.REJECTED').count(), 1);
  assert.deepEqual(outside, [], 'the review page loads nothing from outside this server');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an admin finds a duplicate actor by its name and merges it from the page', { skip }, async () => {
  await gql(`mutation { createActor(input: {id: "cloud-act-dup", kind: BILL, nameKo: "클라우드법"}) { id } }`);
  const { page, context, errors } = await openPage(env);
  await page.goto(`${env.base}/review`);
  await page.fill('#key', adminKey);
  await page.fill('#match-name', '클라우드 발전법');
  await page.click('#match-form button[type=submit]');
  const keep = page.locator('#matches li', { hasText: 'cloud-development-act' });
  await keep.waitFor({ timeout: 15_000 });
  await keep.locator('button', { hasText: 'keep' }).click();
  await page.fill('#merge', 'cloud-act-dup');
  await page.click('#merge-button');
  await page.locator('#status', { hasText: 'Merged into cloud-development-act' }).waitFor({ timeout: 15_000 });
  const d = await gql(`{ actor(id: "cloud-act-dup") { id mergedIds aliases history { by change } } }`);
  assert.equal(d.actor.id, 'cloud-development-act');
  assert.deepEqual(d.actor.mergedIds, ['cloud-act-dup']);
  assert.ok(d.actor.aliases.includes('클라우드법'));
  assert.deepEqual(d.actor.history.at(-1), { by: 'desk-admin', change: 'UPDATED' });
  assert.deepEqual(errors, []);
  await context.close();
});
