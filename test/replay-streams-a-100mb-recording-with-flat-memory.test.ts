// A 100 MB recording (1,000 exchanges of 100 KB answers) replayed by the CLI in a child process:
// every exchange is compared, and memory is flat in the file's size: replaying twice as much (a
// 200 MB recording) raises the process's peak resident memory (VmHWM) by far less than the 100 MB
// added, because the file is read line by line with at most --concurrency exchanges in flight,
// never loaded whole (the child's heap is capped, HEAP_MB and SEMI_MB, so the peak measures the
// replay, not how lazily the collector runs). A resource bound, not a timing one.

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
/** The child's heap caps, well under the file's size: without them V8 grows the young generation
 *  lazily (on Node 24 the peak sat ~125 MB above the baseline, and under CI's load at ~200 MB
 *  for the 200 MB file), and the peak says more about the collector than about the replay. With
 *  them a streamed replay peaks a few MB apart at 100 and 200 MB (Node 20 and 24); one that
 *  loaded the file whole could not run at all. */
const HEAP_MB = 48;
const SEMI_MB = 4;

function order(id: number): { id: number; note: string } {
  return { id, note: FILLER + id };
}

let dir: string;
let file: string;
let double: string;
let small: string;
let candidate: Upstream;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'strangler-replay-big-'));
  file = path.join(dir, 'orders.jsonl');
  small = path.join(dir, 'first-ten.jsonl');
  double = path.join(dir, 'orders-twice.jsonl');
  await writeExchanges(file, EXCHANGES);
  await writeExchanges(double, 2 * EXCHANGES);
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
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, `--max-semi-space-size=${SEMI_MB}`, '--require', PRELOAD, MAIN, 'replay', recording, '--target', candidate.url, '--json'], {
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
  it('compares every exchange, its peak memory not growing with the size of the file', async () => {
    const size = (await stat(file)).size;
    expect(size).toBeGreaterThan(100 * 1000 * 1000);
    const baseline = await replayInChild(small);
    expect(baseline.code).toBe(0);
    const matched = (out: string) => (JSON.parse(out) as { routes: { report: { match: number; mismatch: number } }[] }).routes[0]!.report.match;
    const r = await replayInChild(file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(matched(r.out)).toBe(EXCHANGES);
    const twice = await replayInChild(double);
    expect(twice.code).toBe(0);
    expect(matched(twice.out)).toBe(2 * EXCHANGES);
    // Loaded whole, the second file would cost at least its extra 100 MB more; streamed, a few.
    expect(twice.peakBytes - r.peakBytes).toBeLessThan(size / 2);
    // And it never holds the file: the peak stays below the CLI's baseline plus twice the file.
    expect(twice.peakBytes - baseline.peakBytes).toBeLessThan(2 * size);
  }, 180_000);
});
