// `--rate R` spaces request starts 1000/R ms apart (the first at once), on an injected clock; the
// progress line goes to stderr only when stderr is a terminal, rewritten in place with `\r`, and
// never into stdout (where --json stays parseable).

import { PassThrough } from 'node:stream';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/cli/args.js';
import { runReplay } from '../src/cli/replay.js';
import { Pacer } from '../src/replay/pacer.js';
import { replay } from '../src/replay/replay.js';
import { writeRecording } from './helpers/recording.js';
import { startUpstream, testClock, type Upstream } from './helpers/servers.js';

describe('Pacer', () => {
  it('spaces starts 1000/rate ms apart, the first at once, and lets a late caller start at once', () => {
    const clock = testClock();
    const p = new Pacer(4, clock);
    expect([p.take(), p.take(), p.take()]).toEqual([0, 250, 500]);
    clock.advance(2000);
    expect(p.take()).toBe(0);
    expect(new Pacer(null, clock).take()).toBe(0);
  });
});

let candidate: Upstream;
let file: string;
beforeAll(async () => {
  candidate = await startUpstream((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1}');
  });
  file = await writeRecording(Array.from({ length: 5 }, (_, i) => ({ path: `/orders/${i}`, body: { id: 1 } })));
});
afterAll(() => candidate.close());

async function run(tty: boolean): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const cmd = parseCommand(['replay', file, '--target', candidate.url, '--json', '--concurrency', '1'], {});
  if (cmd.kind !== 'replay') throw new Error(cmd.kind);
  const clock = testClock();
  const ticking = { now: () => (clock.advance(1000), clock.now()) };
  const code = await runReplay(cmd, { stdout, stderr, env: {} }, ticking);
  return { code, out, err };
}

describe('replay --rate', () => {
  it('waits before each request as the pacer says', async () => {
    const waits: number[] = [];
    const clock = testClock(); // never advances: every wait is the full spacing
    const out = await replay(
      { files: [file], target: new URL(candidate.url), methods: new Set(['GET']), concurrency: 1, rate: 10, timeoutMs: 5000, headers: [], clientPath: false, effective: null },
      { clock, sleep: async (ms) => void waits.push(ms) },
    );
    expect(out.progress.match).toBe(5);
    expect(waits).toEqual([100, 200, 300, 400]);
  });
});

describe('strangler replay progress', () => {
  it('rewrites one progress line on a terminal, stdout untouched', async () => {
    const r = await run(true);
    expect(r.code).toBe(0);
    expect(r.err).toContain('\r\x1b[Kreplayed 5: match 5, mismatch 0, no answer 0, skipped 0');
    expect(r.err.endsWith('\r\x1b[K')).toBe(true); // cleared before the report
    expect(r.err).not.toContain('\n');
    expect(r.out).not.toContain('replayed');
    expect(JSON.parse(r.out)).toMatchObject({ gate: { pass: true } });
  });

  it('shows none when stderr is not a terminal', async () => {
    const r = await run(false);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});
