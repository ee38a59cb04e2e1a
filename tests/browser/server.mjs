// Shared set-up of the browser tests: the actorgraph binary on a free port of
// 127.0.0.1 (embedded store, seeded article), and Debian's Chromium.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'test-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const binary = process.env.ACTORGRAPH_BIN ?? join(root, 'target', 'debug', 'actorgraph');

/// Why the browser tests cannot run here, or false. In CI they must run.
export const skip = existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath} (apt-get install chromium)`;
if (skip && process.env.CI) {
  throw new Error(`CI must install Chromium: ${skip}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitForHealth(url, deadline) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer on ${url}/health`);
}

/// Starts the server: by default on the embedded store with the seeded article,
/// whatever the environment says (scripts/test exports NEO4J_* for the Rust tests'
/// Bolt server); `neo4j` passes settings for the Neo4j store instead. `stop()` ends it.
export async function startServer({ args = [], env: extra = {}, neo4j = null } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEO4J_')));
  const server = spawn(binary, ['serve', '--bind', `127.0.0.1:${port}`, '--ephemeral', ...args], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...env, ...(neo4j ?? {}), ...extra, RUST_LOG: 'warn' },
  });
  const exited = new Promise((_, reject) => {
    server.on('error', (e) => reject(new Error(`could not start ${binary}: ${e.message}`)));
    server.on('exit', (code) => reject(new Error(`the server exited with ${code} before answering`)));
  });
  await Promise.race([waitForHealth(base, Date.now() + 30_000), exited]);
  return {
    base,
    ws: base.replace(/^http/, 'ws') + '/graphql',
    stop() {
      server.kill('SIGTERM');
    },
  };
}

/// Runs the actorgraph binary to completion (e.g. `seed`); rejects unless it exits 0.
export function runBinary(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`actorgraph ${args.join(' ')} exited with ${code}`))));
  });
}

/// Starts the server (with `options`, see `startServer`) and the browser; `stop()`
/// ends both.
export async function start(options) {
  const server = await startServer(options);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(artifacts, { recursive: true });
  return {
    base: server.base,
    browser,
    async stop() {
      await browser.close();
      server.stop();
    },
  };
}

/// A page that records every request sent anywhere but the server.
export async function openPage(env) {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const outside = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(env.base)) outside.push(r.url());
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, context, outside, errors };
}

/// Waits for the graph's last layout, then clicks a node or edge where it is drawn:
/// at a point of it that nothing else covers (an edge's midpoint may lie under a
/// node or another edge's label), as Cytoscape's own hit test finds it.
export async function clickElement(page, id) {
  await page.evaluate(() => window.explorer.idle());
  const point = await page.evaluate((elementId) => {
    const { cy } = window.explorer;
    const el = cy.getElementById(elementId);
    if (el.empty()) return null;
    let candidates = [el.isEdge() ? el.midpoint() : el.position()];
    if (el.isEdge()) {
      const a = el.sourceEndpoint(), b = el.targetEndpoint();
      for (const t of [0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) candidates.push({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) });
    }
    const hit = (p) => cy.renderer().findNearestElement(p.x, p.y, true, false);
    const free = candidates.find((p) => { const h = hit(p); return h && h.id() === elementId; }) || candidates[0];
    const pan = cy.pan(), zoom = cy.zoom();
    const box = document.getElementById('graph').getBoundingClientRect();
    return { x: box.left + free.x * zoom + pan.x, y: box.top + free.y * zoom + pan.y };
  }, id);
  assert.ok(point, `${id} is drawn`);
  await page.mouse.click(point.x, point.y);
}

/// Types `text` into the explorer's picker `input` and picks the suggestion `id`.
export async function pick(page, input, text, id) {
  await page.fill(input, text);
  const option = page.locator(`${input} ~ .suggestions button[data-id="${id}"]`);
  await option.waitFor({ timeout: 15_000 });
  await option.click();
}
