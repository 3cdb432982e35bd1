// A 100 MB recording (1,000 exchanges of 100 KB answers) replayed by the CLI in a child process:
// every exchange is compared, and the process's peak resident memory (VmHWM) is above that of a
// replay of its first 10 exchanges by far less than the file's size, because the file is read
// line by line with at most --concurrency exchanges in flight, never loaded whole (the CLI's own
// baseline, its modules loaded, is what the small replay measures). A resource bound, not a
// timing one.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedLine } from './helpers/recording.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist/src/main.js');
const PRELOAD = path.join(ROOT, 'test/fixtures/peak-rss.cjs');
const EXCHANGES = 1000;
const FILLER = 'x'.repeat(100_000);

function order(id: number): { id: number; note: string } {
  return { id, note: FILLER + id };
}

let dir: string;
let file: string;
let small: string;
let candidate: Upstream;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'strangler-replay-big-'));
  file = path.join(dir, 'orders.jsonl');
  small = path.join(dir, 'first-ten.jsonl');
  await writeExchanges(file, EXCHANGES);
  await writeExchanges(small, 10);
  candidate = await startUpstream((req: http.IncomingMessage, res: http.ServerResponse) => {
    const id = Number((req.url ?? '').split('/')[2]);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(order(id)));
  });
}, 60_000);

async function writeExchanges(to: string, n: number): Promise<void> {
  const out = createWriteStream(to);
  for (let i = 0; i < n; i++) {
    if (!out.write(recordedLine({ path: `/orders/${i}`, body: order(i) }, i) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Replays a recording in a child process: its exit code, output, and peak RSS in bytes. */
async function replayInChild(recording: string): Promise<{ code: number; out: string; err: string; peakBytes: number }> {
  const peakFile = path.join(dir, 'peak-rss');
  const child = spawn(process.execPath, ['--require', PRELOAD, MAIN, 'replay', recording, '--target', candidate.url, '--json'], {
    env: { ...process.env, PEAK_RSS_FILE: peakFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  child.stderr.on('data', (c: Buffer) => (err += c));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, out, err, peakBytes: Number(await readFile(peakFile, 'utf8')) * 1024 };
}

afterAll(async () => {
  await candidate?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('strangler replay on a 100 MB recording', () => {
  it('compares every exchange with memory far below the file size', async () => {
    const size = (await stat(file)).size;
    expect(size).toBeGreaterThan(100 * 1000 * 1000);
    const baseline = await replayInChild(small);
    expect(baseline.code).toBe(0);
    const r = await replayInChild(file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = (JSON.parse(r.out) as { routes: { report: { match: number; mismatch: number } }[] }).routes[0]!.report;
    expect(report.match).toBe(EXCHANGES);
    expect(r.peakBytes - baseline.peakBytes).toBeLessThan(size / 2);
  }, 120_000);
});
