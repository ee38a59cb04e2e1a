// The playground in a real browser: Debian's Chromium driven by playwright-core,
// against the actorgraph binary (see server.mjs). Run by scripts/test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, openPage, skip, start } from './server.mjs';

let env;
before(async () => {
  if (!skip) env = await start();
});
after(async () => env?.stop());

test('the playground opens on the example query and running it shows the CIA contract with its quote', { skip }, async () => {
  const { page, context, outside } = await openPage(env);
  await page.goto(`${env.base}/playground`);
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
