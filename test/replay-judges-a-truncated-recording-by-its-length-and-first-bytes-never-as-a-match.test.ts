// A recorded answer larger than `record.maxBodyBytes` is kept truncated: its first bytes, and
// its full length in `bytes`. The replay cannot see the rest of it, so a candidate with another
// full length (`body.length`) or other first bytes (`body`) is a mismatch, and one with the same
// length and first bytes is not a match but skipped, `too_large` (as the shadow compare skips a
// body it cannot hold): a candidate changed past the kept bytes never passes the gate.

import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { compareOptionsFrom } from '../src/shadow/diff.js';
import { compareReplayed } from '../src/replay/compare.js';
import type { RecordedAnswer } from '../src/replay/recorded.js';
import { cli } from './helpers/cli.js';
import { recordedLine, writeRecording } from './helpers/recording.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

const TEXT = { 'content-type': 'text/plain' };
const opts = compareOptionsFrom(undefined);

/** A text body of `n` bytes, the same for the same n. */
const file = (n: number): Buffer => Buffer.alloc(n, 'abcdefghijklmnopqrstuvwxyz\n');

function truncated(full: Buffer, kept: number): RecordedAnswer {
  return { status: 200, headers: TEXT, body: full.subarray(0, kept), truncated: true, fullBytes: full.length };
}

describe('a truncated recorded answer, compared directly', () => {
  const full = file(4000);
  const recorded = truncated(full, 1000);

  it('skips (too_large), never matches, a candidate of the same length and first bytes that differs after them', () => {
    const changed = Buffer.from(full);
    changed[2500] = 0x58; // 'X'
    expect(compareReplayed(recorded, { status: 200, headers: TEXT, body: changed }, opts)).toEqual({ skip: 'too_large' });
  });

  it('is a mismatch, named body.length, when the candidate is a prefix of the recorded body', () => {
    const cmp = compareReplayed(recorded, { status: 200, headers: TEXT, body: full.subarray(0, 2000) }, opts);
    expect(cmp).toMatchObject({ result: 'mismatch', differences: [{ path: 'body.length', kind: 'value', primary: 4000, shadow: 2000 }] });
  });

  it('names both the first bytes (body) and the length (body.length) when both differ', () => {
    const other = Buffer.from(full.subarray(0, 3000));
    other[10] = 0x58;
    const cmp = compareReplayed(recorded, { status: 200, headers: TEXT, body: other }, opts);
    expect('result' in cmp && cmp.differences.map((d) => d.path)).toEqual(['body', 'body.length']);
  });
});

describe('strangler replay of a 20 MB answer recorded truncated', () => {
  const FULL = 20_000_000;
  const KEPT = 262_144;
  const original = file(FULL);
  let candidate: Upstream | undefined;
  afterEach(async () => {
    await candidate?.close();
    candidate = undefined;
  });

  async function replayAgainst(body: Buffer): Promise<{ code: number; out: string }> {
    candidate = await startUpstream((_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(200, TEXT).end(body);
    });
    const line = JSON.parse(recordedLine({ path: '/files/big', body: 'x', responseHeaders: TEXT })) as { response: { body: unknown } };
    line.response.body = { encoding: 'utf8', data: original.subarray(0, KEPT).toString('utf8'), bytes: FULL, truncated: true };
    return cli(['replay', await writeRecording([JSON.stringify(line)]), '--target', candidate.url]);
  }

  it('does not pass a candidate changed at byte 10,000,000: skipped too_large, nothing compared, exit 1', async () => {
    const changed = Buffer.from(original);
    changed[10_000_000] = 0x58;
    const r = await replayAgainst(changed);
    expect(r.out).toContain('   match 0   mismatch 0');
    expect(r.out).toContain('skipped by reason: too_large 1');
    expect(r.code).toBe(1);
  });

  it('fails a candidate that answers a 5 MB prefix of it: a mismatch at body.length, exit 1', async () => {
    const r = await replayAgainst(original.subarray(0, 5_000_000));
    expect(r.out).toContain('   match 0   mismatch 1');
    expect(r.out).toContain('body.length');
    expect(r.code).toBe(1);
  });
});
