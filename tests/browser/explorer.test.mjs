// The visual explorer in a real browser: search, expand, read evidence, paths and
// the date slider, all by clicks on the page (see server.mjs). Run by scripts/test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, openPage, skip, start } from './server.mjs';

let env;
before(async () => {
  if (!skip) env = await start();
});
after(async () => env?.stop());

/// Waits for the graph's last layout, then clicks a node or edge where it is drawn.
async function clickElement(page, id) {
  await page.evaluate(() => window.explorer.idle());
  const point = await page.evaluate((elementId) => {
    const el = window.explorer.cy.getElementById(elementId);
    if (el.empty()) return null;
    const p = el.isEdge() ? el.renderedMidpoint() : el.renderedPosition();
    const box = document.getElementById('graph').getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, id);
  assert.ok(point, `${id} is drawn`);
  await page.mouse.click(point.x, point.y);
}

const has = (page, id) => page.evaluate((elementId) => window.explorer.cy.getElementById(elementId).nonempty(), id);
const count = (page, selector) => page.evaluate((s) => window.explorer.cy.$(s).length, selector);

async function pick(page, input, text, id) {
  await page.fill(input, text);
  const option = page.locator(`${input} ~ .suggestions button[data-id="${id}"]`);
  await option.waitFor({ timeout: 15_000 });
  await option.click();
}

test('an analyst finds the CIA, expands Amazon and reads the evidence of the US$600 million contract', { skip }, async () => {
  const { page, context, outside, errors } = await openPage(env);
  await page.goto(`${env.base}/explore`);
  await pick(page, '#search', 'CIA', 'cia');
  await page.waitForFunction(() => window.explorer.cy.getElementById('a:amazon').nonempty());
  await page.evaluate(() => window.explorer.idle());
  const before = await count(page, 'node');

  await clickElement(page, 'a:amazon');
  await page.waitForFunction((n) => window.explorer.cy.nodes().length > n, before);
  assert.ok(await has(page, 'a:gs-tower'), 'expanding Amazon draws its lease of GS Tower');

  await clickElement(page, 'r:cia-contract-amazon');
  const quote = page.locator('#panel blockquote.evidence');
  await quote.first().waitFor({ timeout: 15_000 });
  assert.match(await quote.first().innerText(), /6억 달러 규모의 계약/);
  const panel = await page.locator('#panel').innerText();
  assert.match(panel, /Amount: 600,000,000 USD/);
  assert.match(panel, /Central Intelligence Agency → Amazon/);
  await page.screenshot({ path: join(artifacts, 'explorer-evidence.png') });
  assert.deepEqual(outside, [], 'the explorer loads nothing from outside this server');
  assert.deepEqual(errors, []);
  await context.close();
});

test('paths between the CIA and KT are listed and highlighted, each step with its evidence', { skip }, async () => {
  const { page, context, errors } = await openPage(env);
  await page.goto(`${env.base}/explore`);
  await pick(page, '#search', '중앙정보국', 'cia');
  await page.waitForFunction(() => !document.getElementById('target').disabled);
  await pick(page, '#target', 'kt', 'kt');
  const first = page.locator('#panel ol.paths li').first();
  await first.waitFor({ timeout: 15_000 });
  assert.match(await first.innerText(), /Central Intelligence Agency → CONTRACT → Amazon ← EXPECTED_HARM ← Cloud Computing Development Act → EXPECTED_BENEFIT → KT Corporation/);
  await page.evaluate(() => window.explorer.idle());
  assert.equal(await count(page, 'edge.path'), 3, 'the three steps of the shortest path are highlighted');

  await clickElement(page, 'r:cloud-act-benefits-kt');
  await page.locator('#panel blockquote.evidence').first().waitFor({ timeout: 15_000 });
  assert.match(await page.locator('#panel').innerText(), /IDC 인프라 덕분에 수혜/);
  await page.screenshot({ path: join(artifacts, 'explorer-paths.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the date slider keeps only the relations valid at the chosen year', { skip }, async () => {
  const { page, context, errors } = await openPage(env);
  await page.goto(`${env.base}/explore`);
  await pick(page, '#search', 'GS', 'gs-tower');
  await page.waitForFunction(() => window.explorer.cy.getElementById('r:amazon-leases-gs-tower').nonempty());

  const setYear = (year) => page.evaluate((y) => {
    const any = document.getElementById('any-date');
    if (any.checked) { any.checked = false; any.dispatchEvent(new Event('change')); }
    const slider = document.getElementById('as-of');
    slider.value = String(y);
    slider.dispatchEvent(new Event('change'));
  }, year);
  await setYear(2030);
  await page.waitForFunction(() => window.explorer.state.asOf === '2030' && window.explorer.cy.edges().length === 0);
  assert.equal(await has(page, 'r:amazon-leases-gs-tower'), false, 'the lease ended in February 2024');
  await setYear(2020);
  await page.waitForFunction(() => window.explorer.cy.getElementById('r:amazon-leases-gs-tower').nonempty());
  assert.match(await page.locator('#as-of-value').innerText(), /2020/);
  await page.screenshot({ path: join(artifacts, 'explorer-date.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
