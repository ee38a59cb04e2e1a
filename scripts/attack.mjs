#!/usr/bin/env node
// What each hostile request of issue "Hold under hostile input" costs a server:
// for every attack, a fresh server (embedded store) is started, the attack is sent
// from this machine's loopback, and the script prints what came back (status,
// code, bytes), the server's CPU time and peak RSS during the attack and the 5 s
// after it, whether the server still answered /health and whether it stopped on
// SIGTERM. It asserts nothing: the tests do (tests/api/hostile.rs); this measures.
//
//   node scripts/attack.mjs BINARY [LABEL] [-- extra server flags]
//   ONLY="search|fragments" node scripts/attack.mjs …   (only the attacks named so)
//
// e.g. `node scripts/attack.mjs target/release/actorgraph after -- --rate-limit 0`.
// Linux only (reads /proc). Each request is bounded: the client gives up after
// 30 s, and a server that does not stop within 10 s of SIGTERM is killed.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(new URL('../tests/browser/package.json', import.meta.url));
const WebSocket = require('ws');

const [bin, label = 'run', ...rest] = process.argv.slice(2);
if (!bin) {
  console.error('usage: node scripts/attack.mjs BINARY [LABEL] [-- extra server flags]');
  process.exit(2);
}
const extra = rest[0] === '--' ? rest.slice(1) : rest;
const CLIENT_TIMEOUT_MS = 30_000;
const TICKS = 100; // clock ticks per second of /proc/PID/stat (Linux's USER_HZ)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
  } catch {
    return null;
  }
}
function status(pid, key) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(key));
    return Number(line.split(/\s+/)[1]) / 1024; // MiB
  } catch {
    return null;
  }
}
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {}
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer(args) {
  const port = await freePort();
  const child = spawn(bin, ['serve', '--bind', `127.0.0.1:${port}`, '--workers', '2', '--max-body-bytes', '2000000', ...args, ...extra], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, NEO4J_URI: '', RUST_LOG: 'warn' },
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return { child, port, exited, base: `http://127.0.0.1:${port}` };
    } catch {}
    await sleep(100);
  }
  throw new Error('the server did not start');
}

async function healthy(base) {
  try {
    const r = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

/** POSTs a body; what came back, or why nothing did. */
async function post(base, body) {
  try {
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await r.text();
    return { status: r.status, bytes: text.length, code: codeOf(text) };
  } catch (e) {
    return { status: 'none', bytes: 0, code: e.name === 'TimeoutError' ? 'no answer in 30 s' : `connection failed (${e.cause?.code ?? e.message})` };
  }
}

async function get(base, query) {
  try {
    const r = await fetch(`${base}/graphql?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
    const text = await r.text();
    return { status: r.status, bytes: text.length, code: codeOf(text) };
  } catch (e) {
    return { status: 'none', bytes: 0, code: e.name === 'TimeoutError' ? 'no answer in 30 s' : `connection failed (${e.cause?.code ?? e.message})` };
  }
}

function codeOf(text) {
  try {
    const body = JSON.parse(text);
    const first = Array.isArray(body) ? body.find((b) => b.errors)?.errors : body.errors;
    return first ? [...new Set(first.map((e) => e.extensions?.code ?? '(no code)'))].join(', ') : 'data';
  } catch {
    return '(not JSON)';
  }
}

/** Opens a graphql-transport-ws connection; `run(ws, next)` drives it. */
async function websocket(base, run) {
  const ws = new WebSocket(base.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
  const inbox = [];
  let waiter = null;
  let closed = null;
  ws.on('message', (m) => {
    inbox.push(JSON.parse(m.toString()));
    waiter?.();
  });
  ws.on('close', (code) => {
    closed = code;
    waiter?.();
  });
  ws.on('error', () => {});
  const opened = await new Promise((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('unexpected-response', (_, res) => resolve(`HTTP ${res.statusCode}`));
    ws.once('error', () => resolve(false));
  });
  if (opened !== true) return { status: opened || 'refused', bytes: 0, code: '' };
  const next = async (ms = CLIENT_TIMEOUT_MS) => {
    const until = Date.now() + ms;
    while (!inbox.length && closed === null && Date.now() < until) {
      await new Promise((r) => {
        waiter = r;
        setTimeout(r, 50);
      });
    }
    return inbox.shift() ?? (closed !== null ? { closed } : null);
  };
  try {
    return await run(ws, next, () => closed);
  } finally {
    ws.terminate();
  }
}

const nestedList = (n) => `{ actor(id: ${'['.repeat(n)}1${']'.repeat(n)}) { id } }`;
const nestedObject = (n) => `{ actor(id: ${'{a:'.repeat(n)}1${'}'.repeat(n)}) { id } }`;
const aliases = (n, field) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
function fanOut(levels, fan, leaf) {
  let q = '{ ...F0 }\n';
  for (let i = 0; i < levels - 1; i++) q += `fragment F${i} on Query { ${`...F${i + 1} `.repeat(fan)}}\n`;
  return q + `fragment F${levels - 1} on Query { ${leaf} }`;
}
const TIMELINE = 'timeline(first: 500) { relation { evidence { source { text } } } }';

const attacks = [
  ['value nested 1,530 deep (POST)', [], (b) => post(b, { query: nestedList(1530) })],
  ['object nested 2,000 deep (GET)', [], (b) => get(b, nestedObject(2000))],
  ['value nested 1,530 deep (WebSocket)', [], (b) => websocket(b, async (ws, next) => {
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await next();
    ws.send(JSON.stringify({ type: 'subscribe', id: '1', payload: { query: nestedList(1530) } }));
    const m = await next();
    return { status: m?.type ?? (m?.closed ? `closed ${m.closed}` : 'none'), bytes: JSON.stringify(m ?? '').length, code: m?.payload?.errors?.[0]?.extensions?.code ?? m?.payload?.[0]?.extensions?.code ?? '' };
  })],
  ['fragments: 10 spreads × 9 levels (10^9 fields)', [], (b) => post(b, { query: fanOut(10, 10, 'actors { edges { node { id name } } }') })],
  ['fragments: 4 spreads × 12 levels', [], (b) => post(b, { query: fanOut(13, 4, '__typename') })],
  ['3,000 aliases of timeline(first: 500) with source texts', [], (b) => post(b, { query: aliases(3000, TIMELINE) })],
  ['10,000 aliases of paths(maxHops: 6)', [], (b) => post(b, { query: aliases(10000, 'paths(fromId: "cia", toId: "kt", maxHops: 6) { length }') })],
  ['4,000 aliases of a search, 20,000 actors', ['--synthetic', '20000'], (b) => post(b, { query: aliases(4000, 'actors(search: "actor", first: 0) { totalCount }') })],
  ['150 aliases of a search, 20,000 actors', ['--synthetic', '20000'], (b) => post(b, { query: aliases(150, 'actors(search: "actor", first: 0) { totalCount }') })],
  ['5 aliases of paths(maxHops: 6, first: 20), 20,000 actors', ['--synthetic', '20000'], (b) => post(b, { query: aliases(5, 'paths(fromId: "syn-0000000", toId: "syn-0000025", maxHops: 6, first: 20) { length }') })],
  ['190 aliases of a search, 200,000 actors', ['--synthetic', '200000'], (b) => post(b, { query: aliases(190, 'actors(search: "actor", first: 1) { totalCount edges { node { id } } }') })],
  ['batch of 100 timelines with source texts', [], (b) => post(b, Array.from({ length: 100 }, () => ({ query: `{ ${TIMELINE} }` })))],
  ['unknown field name of 900 KB', [], (b) => post(b, { query: `{ ${'x'.repeat(900_000)} }` })],
  ['50,000 @skip', [], (b) => post(b, { query: `{ __typename ${'@skip(if: false) '.repeat(50_000)}}` })],
  ['10,000 subscriptions on one WebSocket', [], (b) => websocket(b, async (ws, next, closed) => {
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await next();
    for (let i = 0; i < 10_000; i++) ws.send(JSON.stringify({ type: 'subscribe', id: `s${i}`, payload: { query: 'subscription { actorChanged { change } }' } }));
    let refused = 0;
    for (;;) {
      const m = await next(3000);
      if (!m || m.closed) break;
      if (m.type === 'error' || m.payload?.errors) refused++;
    }
    return { status: closed() ? `closed ${closed()}` : 'open', bytes: 0, code: `${10_000 - refused} accepted, ${refused} refused` };
  })],
  ['WebSocket that never sends connection_init (12 s)', [], (b) => websocket(b, async (ws, next, closed) => {
    await next(12_000);
    return { status: closed() ? `closed ${closed()}` : 'still open', bytes: 0, code: '' };
  })],
  ['body sent one byte every 500 ms', [], (b) => new Promise((resolve) => {
    const url = new URL(b);
    const socket = net.connect(Number(url.port), '127.0.0.1');
    const body = JSON.stringify({ query: '{ __typename }' });
    let answer = '';
    let sent = 0;
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    const timer = setInterval(() => {
      if (sent < body.length) socket.write(body[sent++]);
    }, 500);
    const done = (code) => {
      clearInterval(timer);
      socket.destroy();
      resolve({ status: answer.split(' ')[1] ?? 'none', bytes: answer.length, code });
    };
    socket.on('data', (d) => {
      answer += d.toString();
      done(codeOf(answer.slice(answer.indexOf('\r\n\r\n') + 4)));
    });
    socket.on('error', () => done('connection error'));
    setTimeout(() => done(`no answer in 20 s (${sent} bytes sent)`), 20_000);
  })],
];

// ONLY=text runs the attacks whose name contains it.
const only = process.env.ONLY;
const rows = [];
for (const [name, args, attack] of attacks.filter(([n]) => !only || only.split('|').some((o) => n.includes(o)))) {
  const server = await startServer(args);
  const pid = server.child.pid;
  await sleep(300);
  resetPeak(pid);
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  const result = await attack(server.base);
  const seconds = (Date.now() - t0) / 1000;
  await sleep(5000); // work the server goes on doing after the answer counts too
  const alive = server.child.exitCode === null && server.child.signalCode === null;
  const cpu = alive ? cpuSeconds(pid) - cpu0 : null;
  const peak = alive ? status(pid, 'VmHWM') : null;
  const cpuAfter = alive ? cpuSeconds(pid) : null;
  await sleep(1000);
  const busy = alive && cpuSeconds(pid) - cpuAfter > 0.5;
  const health = alive && (await healthy(server.base));
  const t1 = Date.now();
  server.child.kill('SIGTERM');
  const stop = await Promise.race([server.exited.then(() => `${((Date.now() - t1) / 1000).toFixed(1)} s`), sleep(10_000).then(() => null)]);
  if (!stop) server.child.kill('SIGKILL');
  const crashed = !alive ? `crashed (${(await server.exited).signal ?? 'exit'})` : '';
  rows.push({
    attack: name,
    answer: `${result.status} ${result.code}`.trim(),
    bytes: result.bytes,
    seconds: seconds.toFixed(1),
    cpu: cpu === null ? '–' : cpu.toFixed(2),
    peak: peak === null ? '–' : peak.toFixed(0),
    after: crashed || `${health ? 'healthy' : 'no /health in 2 s'}${busy ? ', still busy' : ''}`,
    stop: alive ? (stop ?? 'not within 10 s: killed') : '–',
  });
  console.error(`${label}: ${name}: ${JSON.stringify(rows.at(-1))}`);
}

console.log(`\n${label}: ${bin} ${extra.join(' ')}\n`);
console.log('| attack | answer | bytes | client s | server CPU s | peak RSS MiB | afterwards | SIGTERM |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.attack} | ${r.answer} | ${r.bytes} | ${r.seconds} | ${r.cpu} | ${r.peak} | ${r.after} | ${r.stop} |`);
