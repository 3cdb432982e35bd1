// `strangler report` in the terminal shows the first 10 differing and noise paths per route; it
// says how many it left out and how to see them (--all, --top N), and both flags work. Each
// path's example names the request that produced it, and each mismatch offers its curl lines.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/cli/args.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { cli } from './helpers/cli.js';

/** 13 mismatches: the i-th differs at $.f0..$.f{i} (so $.f0 is the most counted), noise at 12 paths. */
function events(): ShadowEvent[] {
  return Array.from({ length: 13 }, (_, i) => ({
    at: new Date(Date.UTC(2026, 5, 1, 12, 0, i)).toISOString(),
    route: '/orders',
    result: 'mismatch' as const,
    method: 'GET',
    path: `/orders/${i}`,
    primaryStatus: 200,
    shadowStatus: 200,
    differences: Array.from({ length: 13 - i }, (_, k) => ({ path: `$.f${k}`, kind: 'value' as const, primary: k, shadow: k + 1 })),
    noise: Array.from({ length: 12 }, (_, k) => ({ path: `$.n${k}` })),
    curl: `curl 'http://shop.test/orders/${i}'`,
    primaryCurl: `curl 'http://legacy:8000/orders/${i}'`,
    shadowCurl: `curl 'http://next:8001/v2/orders/${i}' -H 'x-strangler-shadow: 1'`,
  }));
}

let dir: string, file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strangler-report-top-'));
  file = join(dir, 'shadow.jsonl');
  await writeFile(file, events().map((e) => JSON.stringify(e)).join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pathLines = (out: string) => out.split('\n').filter((l) => /^ +\d+ {2}\$\.f\d+ /.test(l));
const noiseLines = (out: string) => out.split('\n').filter((l) => /^ +\d+ {2}\$\.n\d+$/.test(l));

describe('strangler report, paths beyond the top', () => {
  it('by default shows 10 and says how many it left out and how to see them', async () => {
    const r = await cli(['report', '--file', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(pathLines(r.out)).toHaveLength(10);
    expect(r.out).toContain('top differing paths (10 of 13)');
    expect(r.out).toContain('    … 3 more differing paths not shown (--all shows every one, --top N the first N)\n');
    expect(noiseLines(r.out)).toHaveLength(10);
    expect(r.out).toContain('    … 2 more noise paths not shown (--all shows every one, --top N the first N)\n');
    expect(r.out).toContain('last mismatches (5 of 13, newest first)');
    expect(r.out).toContain('    … 8 more kept mismatches not shown (--all shows them)\n');
  });

  it('--all shows every path and every kept mismatch, and no "more" line', async () => {
    const r = await cli(['report', '--file', file, '--all']);
    expect(r.code).toBe(0);
    expect(pathLines(r.out)).toHaveLength(13);
    expect(noiseLines(r.out)).toHaveLength(12);
    expect(r.out).toContain('last mismatches (13 of 13, newest first)');
    expect(r.out).not.toContain('not shown');
  });

  it('--top N shows the first N', async () => {
    const r = await cli(['report', '--file', file, '--top', '3']);
    expect(r.code).toBe(0);
    expect(pathLines(r.out).map((l) => l.trim().split(/\s+/)[1])).toEqual(['$.f0', '$.f1', '$.f2']);
    expect(r.out).toContain('… 10 more differing paths not shown');
    expect(r.out).toContain('… 9 more noise paths not shown');
  });

  it('names the request behind each example, and gives each mismatch its three curl lines', async () => {
    const r = await cli(['report', '--file', file, '--top', '1']);
    const lines = r.out.split('\n');
    const f0 = lines.findIndex((l) => /^ +13 {2}\$\.f0 /.test(l));
    expect(lines[f0 + 1]).toMatch(/^ +from GET \/orders\/0$/); // the earliest event that differed there
    const newest = lines.findIndex((l) => l.includes('GET /orders/12 '));
    expect(lines.slice(newest + 2, newest + 8).map((l) => l.trim())).toEqual([
      'replay through the proxy:',
      "curl 'http://shop.test/orders/12'",
      'straight to the primary:',
      "curl 'http://legacy:8000/orders/12'",
      'straight to the shadow:',
      "curl 'http://next:8001/v2/orders/12' -H 'x-strangler-shadow: 1'",
    ]);
  });

  it('refuses --top without a positive whole number, and --top with --all', () => {
    for (const args of [['--top', '0'], ['--top', 'x'], ['--top', '2', '--all']]) {
      expect(parseCommand(['report', ...args], {})).toMatchObject({ kind: 'usage-error' });
    }
    expect(parseCommand(['report', '--top', '25'], {})).toMatchObject({ kind: 'report', top: 25 });
    expect(parseCommand(['report', '--all'], {})).toMatchObject({ kind: 'report', top: null });
  });
});
