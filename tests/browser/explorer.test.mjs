// The visual explorer in a real browser: search, expand, read evidence, paths and
// the date slider, all by clicks on the page (see server.mjs). Run by scripts/test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { artifacts, clickElement, openPage, pick, skip, start } from './server.mjs';

const adminKey = randomBytes(24).toString('hex');
const keyEntry = `admin:${createHash('sha256').update(adminKey).digest('hex')}:newsroom-script`;

let env;
before(async () => {
  if (!skip) env = await start({ env: { ACTORGRAPH_API_KEYS: keyEntry } });
});

async function write(query, variables = {}) {
  const res = await fetch(`${env.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body));
  return body.data;
}
after(async () => env?.stop());

const has = (page, id) => page.evaluate((elementId) => window.explorer.cy.getElementById(elementId).nonempty(), id);
const count = (page, selector) => page.evaluate((s) => window.explorer.cy.$(s).length, selector);


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
  await page.evaluate(() => window.explorer.idle());
  await page.click('#legend summary');
  const legend = await page.locator('#legend').innerText();
  assert.match(legend, /government agency \(hexagon\)/, 'the legend names the kinds drawn, with their shapes');
  assert.match(legend, /→ lease/, 'and the types of relation drawn');
  await page.click('#legend summary');

  await clickElement(page, 'r:cia-contract-amazon');
  const quote = page.locator('#panel blockquote.evidence');
  await quote.first().waitFor({ timeout: 15_000 });
  // The keyboard and a screen reader land on the relation, in the panel, and go
  // on from there to its evidence.
  assert.equal(await page.evaluate(() => document.activeElement.closest('#panel') !== null), true);
  assert.match(await page.evaluate(() => document.activeElement.textContent), /Central Intelligence Agency → Amazon/);
  assert.equal(await page.locator('#panel').getAttribute('aria-live'), 'polite');
  assert.match(await page.locator('#panel h2', { hasText: 'Evidence' }).innerText(), /Evidence \(1 quote\)/);
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

test('the explorer draws relations and actors changed elsewhere while it is open', { skip }, async () => {
  const { page, context, outside, errors } = await openPage(env);
  await page.goto(`${env.base}/explore`);
  await pick(page, '#search', 'KT', 'kt');
  await page.waitForFunction(() => window.explorer.cy.getElementById('a:kt').nonempty());
  await page.locator('#live.on').waitFor({ timeout: 15_000 });
  await page.evaluate(() => window.explorer.idle());
  // The feed is live once the server serves both of the page's subscriptions.
  for (let i = 0; i < 100; i += 1) {
    const health = await (await fetch(`${env.base}/health`)).json();
    if (health.subscriptions >= 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await has(page, 'a:cia'), false, 'the CIA is not a neighbour of KT');

  // Another client adds a relation from KT to the CIA: it appears, with the CIA.
  await write(`mutation { createActor(input: {id: "nsa", kind: GOVERNMENT_AGENCY, nameEn: "National Security Agency"}) { id } }`);
  await write(`mutation($q: String!) { createRelation(input: {id: "kt-usage-cia-live", type: USAGE, fromId: "kt", toId: "cia",
    summary: "live test", evidence: [{sourceId: "amazon-korea-cloud-2015", quote: $q}]}) { id } }`,
  { q: '아마존은 자국인 미국의 지원속에 든든한 클라우드 인프라를 확보한 상태다.' });
  await page.waitForFunction(() => window.explorer.cy.getElementById('r:kt-usage-cia-live').nonempty(), null, { timeout: 15_000 });
  assert.ok(await has(page, 'a:cia'), 'the new end is drawn');
  assert.equal(await has(page, 'a:nsa'), false, 'an actor unrelated to the graph is not drawn');

  // Its type changes: the edge follows. A renamed actor is relabelled.
  await write('mutation { updateRelation(id: "kt-usage-cia-live", input: {type: CONTRACT}) { id } }');
  await page.waitForFunction(() => window.explorer.cy.getElementById('r:kt-usage-cia-live').data('type') === 'CONTRACT', null, { timeout: 15_000 });
  await write('mutation { updateActor(id: "cia", input: {nameEn: "CIA (renamed live)"}) { id } }');
  await page.waitForFunction(() => /renamed live/.test(window.explorer.cy.getElementById('a:cia').data('label')), null, { timeout: 15_000 });
  await page.evaluate(() => window.explorer.idle());
  // Its panel says who recorded the relation and who changed it.
  await clickElement(page, 'r:kt-usage-cia-live');
  // The actor panel shown before has a history line too: wait for the relation's.
  await page.locator('#panel h2', { hasText: '→' }).waitFor({ timeout: 15_000 });
  const historyLine = page.locator('#panel .history');
  assert.match(await historyLine.innerText(), /^Recorded by newsroom-script on \d{4}-\d\d-\d\d \d\d:\d\d UTC; version 2, last changed by newsroom-script/);
  await page.screenshot({ path: join(artifacts, 'explorer-live.png') });

  // Deleted elsewhere: gone here.
  await write('mutation { deleteRelation(id: "kt-usage-cia-live") { id } }');
  await page.waitForFunction(() => window.explorer.cy.getElementById('r:kt-usage-cia-live').empty(), null, { timeout: 15_000 });
  assert.ok(await has(page, 'a:kt'));
  assert.deepEqual(outside, [], 'nothing loaded from outside this server');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the suggestions are picked from the keyboard: ArrowDown, ArrowDown, Enter', { skip }, async () => {
  const { page, context, errors } = await openPage(env);
  await page.goto(`${env.base}/explore`);
  await page.fill('#search', '클라우드');
  const options = page.locator('#search-suggestions button');
  await options.nth(1).waitFor({ timeout: 15_000 });
  const second = await options.nth(1).getAttribute('data-id');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#search').getAttribute('aria-activedescendant'), 'search-suggestions-1');
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => window.explorer.cy.getElementById(`a:${id}`).nonempty(), second, { timeout: 15_000 });
  assert.equal(await page.locator('#search-suggestions button').count(), 0, 'the list closes');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a copied explorer link reopens the same view in a fresh browser', { skip }, async () => {
  const { page, context, errors } = await openPage(env);
  await page.goto(`${env.base}/explore`);
  await pick(page, '#search', 'CIA', 'cia');
  await page.waitForFunction(() => window.explorer.cy.getElementById('a:amazon').nonempty());
  await clickElement(page, 'a:amazon');
  await page.waitForFunction(() => window.explorer.state.expanded.has('amazon'));
  await pick(page, '#target', 'KT', 'kt');
  await page.waitForFunction(() => window.explorer.cy.getElementById('a:kt').nonempty(), null, { timeout: 15_000 });
  await page.evaluate(() => window.explorer.idle());
  const link = page.url();
  assert.match(link, /actor=cia/);
  assert.match(link, /expand=amazon/);
  assert.match(link, /to=kt/);
  const view = (p) => p.evaluate(() => ({
    center: window.explorer.state.center,
    target: window.explorer.state.target,
    expanded: [...window.explorer.state.expanded].sort(),
    nodes: window.explorer.cy.nodes().map((n) => n.id()).sort(),
    edges: window.explorer.cy.edges().map((e) => e.id()).sort(),
  }));
  const before = await view(page);
  await context.close();

  const fresh = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const again = await fresh.newPage();
  const freshErrors = [];
  again.on('pageerror', (e) => freshErrors.push(String(e)));
  await again.goto(link);
  await again.waitForFunction(() => window.explorer.state.center === 'cia', null, { timeout: 15_000 });
  await again.waitForFunction(() => window.explorer.state.expanded.has('amazon'), null, { timeout: 15_000 });
  await again.evaluate(() => window.explorer.idle());
  await again.waitForFunction((n) => window.explorer.cy.nodes().length >= n, before.nodes.length, { timeout: 15_000 });
  assert.deepEqual(await view(again), before);
  assert.deepEqual(errors, []);
  assert.deepEqual(freshErrors, []);
  await fresh.close();
});

// Boxes (label included) of the actors drawn, in model coordinates, and the pairs
// that overlap.
const overlaps = (page) => page.evaluate(() => {
  const boxes = window.explorer.cy.nodes().map((n) => ({ id: n.id(), ...n.boundingBox({ includeLabels: true, includeOverlays: false }) }));
  const out = [];
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const a = boxes[i], b = boxes[j];
      if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) out.push(`${a.id} × ${b.id}`);
    }
  }
  return { count: boxes.length, out };
});

test('labels do not overlap, and stay readable when the drawing is zoomed out', { skip }, async () => {
  const { page, context, errors } = await openPage(env);
  await page.goto(`${env.base}/explore?actor=amazon&expand=kt,cia`);
  await page.waitForFunction(() => window.explorer.state.expanded.size === 3, null, { timeout: 15_000 });
  await page.evaluate(() => window.explorer.idle());
  const { count, out } = await overlaps(page);
  assert.ok(count >= 15, `a crowded view: ${count} actors`);
  assert.deepEqual(out, [], 'no two actors (with their labels) overlap');
  await page.screenshot({ path: join(artifacts, 'explorer-layout.png') });

  // Every label drawn is readable on screen (edges 9 px, actors 11 px), at the
  // fitted zoom and zoomed out to a fifth; an edge label is drawn where its edge
  // holds it, and always for the selected relation.
  const labels = () => page.evaluate(() => {
    const { cy } = window.explorer;
    const px = (el) => parseFloat(el.style('font-size')) * cy.zoom();
    const shown = cy.edges().filter((e) => parseFloat(e.style('text-opacity')) > 0);
    const nodes = cy.nodes().filter((n) => px(n) >= parseFloat(n.style('min-zoomed-font-size')));
    return {
      zoom: cy.zoom(),
      edges: cy.edges().length,
      shown: shown.length,
      smallestEdge: Math.min(...shown.map(px)),
      nodesShown: nodes.length,
      smallestNode: Math.min(...nodes.map(px)),
    };
  });
  const near = await labels();
  assert.ok(near.shown >= near.edges / 2, `most edge labels drawn at the fitted zoom: ${JSON.stringify(near)}`);
  const crossing = await page.evaluate(() => {
    const { cy } = window.explorer;
    const shown = cy.edges().filter((e) => parseFloat(e.style('text-opacity')) > 0)
      .map((e) => [e.id(), e.boundingBox({ includeLabels: true, includeNodes: false, includeEdges: false, includeOverlays: false })]);
    const out = [];
    shown.forEach(([a, x], i) => shown.slice(i + 1).forEach(([b, y]) => {
      if (x.x1 < y.x2 && y.x1 < x.x2 && x.y1 < y.y2 && y.y1 < x.y2) out.push(`${a} × ${b}`);
    }));
    return out;
  });
  assert.deepEqual(crossing, [], 'no two edge labels drawn overlap');
  assert.ok(near.smallestEdge >= 8.9 && near.smallestNode >= 10.9, JSON.stringify(near));
  await page.evaluate(() => { window.explorer.cy.zoom(0.2); });
  await page.waitForFunction(() => Math.abs(parseFloat(window.explorer.cy.edges()[0].style('font-size')) * window.explorer.cy.zoom() - 9) < 0.5,
    null, { timeout: 5_000 });
  const far = await labels();
  assert.equal(far.zoom, 0.2);
  assert.ok(far.shown === 0 || far.smallestEdge >= 8.9, `edge labels drawn at zoom 0.2 are readable: ${JSON.stringify(far)}`);
  assert.ok(far.nodesShown === 0 || far.smallestNode >= 8, JSON.stringify(far));
  await clickElement(page, 'r:amazon-leases-gs-tower');
  const selected = await page.evaluate(() => {
    const e = window.explorer.cy.getElementById('r:amazon-leases-gs-tower');
    return { opacity: parseFloat(e.style('text-opacity')), px: parseFloat(e.style('font-size')) * window.explorer.cy.zoom() };
  });
  assert.ok(selected.opacity > 0 && selected.px >= 8.9, `the selected relation's label is drawn: ${JSON.stringify(selected)}`);
  await page.screenshot({ path: join(artifacts, 'explorer-zoomed-out.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the drawing exports as PNG and SVG, and what it shows as GraphML and CSV', { skip }, async () => {
  const { page, context, errors } = await openPage(env);
  await page.goto(`${env.base}/explore?actor=cia&expand=amazon&to=kt`);
  await page.waitForFunction(() => window.explorer.state.expanded.has('amazon') && window.explorer.cy.getElementById('a:kt').nonempty(),
    null, { timeout: 15_000 });
  await page.evaluate(() => window.explorer.idle());
  const shown = await page.evaluate(() => ({
    nodes: window.explorer.cy.nodes().map((n) => n.data('actorId')).sort(),
    edges: window.explorer.cy.edges().map((e) => e.data('relationId')).sort(),
  }));
  await page.click('#export summary');

  const saved = async (selector) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    const chunks = [];
    for await (const chunk of await file.createReadStream()) chunks.push(chunk);
    return { name: file.suggestedFilename(), bytes: Buffer.concat(chunks) };
  };
  const png = await saved('#export-png');
  assert.equal(png.name, 'actorgraph-cia.png');
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  assert.ok(png.bytes.length > 10_000, `${png.bytes.length} bytes`);
  const svg = await saved('#export-svg');
  assert.equal(svg.name, 'actorgraph-cia.svg');
  const svgText = svg.bytes.toString('utf8');
  assert.match(svgText, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svgText, />중앙정보국</, 'the labels are text in the SVG');
  assert.match(svgText, />CONTRACT</, 'the relations too');

  // GraphML and CSV come from the server, for exactly what is drawn.
  const graphml = await saved('#export-graphml');
  assert.match(graphml.name, /^actorgraph-cia-amazon-cia-to-kt\.graphml$|^actorgraph-amazon-cia-cia-to-kt\.graphml$/);
  const xml = graphml.bytes.toString('utf8');
  const nodes = [...xml.matchAll(/<node id="([^"]+)">/g)].map((m) => m[1]).sort();
  const edges = [...xml.matchAll(/<edge id="([^"]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(nodes, shown.nodes, 'the GraphML has the actors drawn');
  assert.deepEqual(edges, shown.edges, 'and the relations drawn');
  const csv = (await saved('#export-csv-edges')).bytes.toString('utf8').trim().split('\r\n');
  assert.equal(csv[0].split(',').slice(0, 4).join(','), 'id,source,target,type');
  assert.deepEqual(csv.slice(1).map((row) => row.split(',')[0]).sort(), shown.edges);
  const brief = await page.getAttribute('#export-brief', 'href');
  assert.match(brief, /^\/export\?/);
  const response = await fetch(env.base + brief);
  assert.equal(response.status, 200);
  const page2 = await response.text();
  assert.match(page2.slice(0, 2000), /<h1>How [^<]+ is connected to KT Corporation<\/h1>/, brief);
  assert.deepEqual(errors, []);
  await context.close();
});
