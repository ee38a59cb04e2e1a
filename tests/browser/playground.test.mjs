// The playground in a real browser: Debian's Chromium driven by playwright-core,
// against the actorgraph binary spawned on a free port of 127.0.0.1.
//
// Run by scripts/test after `cargo test` has built target/debug/actorgraph.
// Without Chromium the test is skipped with a reason, except in CI, where it fails.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const binary = process.env.ACTORGRAPH_BIN ?? join(root, 'target', 'debug', 'actorgraph');
const artifacts = join(root, 'test-artifacts');
const skip = existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath} (apt-get install chromium)`;
if (skip && process.env.CI) {
  throw new Error(`CI must install Chromium: ${skip}`);
}

let server;
let browser;
let base;

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
      const r = await fetch(`${url}/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer on ${url}/health`);
}

before(async () => {
  if (skip) return;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The embedded store with the seeded article, whatever the environment says:
  // scripts/test exports NEO4J_* for the Rust tests' Bolt server.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEO4J_')));
  server = spawn(binary, ['serve', '--bind', `127.0.0.1:${port}`], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...env, RUST_LOG: 'warn' },
  });
  const exited = new Promise((_, reject) => {
    server.on('error', (e) => reject(new Error(`could not start ${binary}: ${e.message}`)));
    server.on('exit', (code) => reject(new Error(`the server exited with ${code} before answering`)));
  });
  await Promise.race([waitForHealth(base, Date.now() + 30_000), exited]);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('the playground opens on the example query and running it shows the CIA contract with its quote', { skip }, async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const outside = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) outside.push(r.url());
  });
  await page.goto(`${base}/playground`);
  await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
  const editor = await page.locator('.graphiql-query-editor').innerText();
  assert.match(editor, /WhoIsConnectedToTheCIA/);
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
