// `strangler report --fail-under PCT`: the live shadow report as a gate. Each route's match rate
// is match / (match + mismatch): shadow errors and skips are reported, not counted; every route
// must reach PCT (a route with nothing compared is shown and not counted); exit 0 or 1. Without
// the flag the exit code is what it was (0).

import { rename } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatLogLine, type ShadowEvent } from '../src/shadow/log-line.js';
import { cli } from './helpers/cli.js';
import { writeRecording } from './helpers/recording.js';

function events(route: string, match: number, mismatch: number, errors: number, skipped = 0): ShadowEvent[] {
  const out: ShadowEvent[] = [];
  const at = (i: number): string => new Date(Date.UTC(2026, 11, 3, 10, 0, i)).toISOString();
  const base = (i: number) => ({ at: at(i), route, method: 'GET', path: `${route}/${i}`, primaryStatus: 200 });
  let i = 0;
  for (let k = 0; k < match; k++, i++) out.push({ ...base(i), result: 'match', shadowStatus: 200 });
  for (let k = 0; k < mismatch; k++, i++) out.push({ ...base(i), result: 'mismatch', shadowStatus: 200, differences: [{ path: '$.total', kind: 'value', primary: 1, shadow: 2 }] });
  for (let k = 0; k < errors; k++, i++) out.push({ ...base(i), result: 'shadow_error', reason: 'timeout', shadowStatus: null });
  for (let k = 0; k < skipped; k++, i++) out.push({ ...base(i), result: 'skipped', reason: 'overload', shadowStatus: null });
  return out;
}

async function shadowLog(all: ShadowEvent[]): Promise<string> {
  return writeRecording(all.map((e) => formatLogLine(e).trimEnd()), 'shadow.jsonl');
}

describe('strangler report --fail-under', () => {
  it('passes when every route reaches the rate, errors and skips not counted', async () => {
    // /orders: 9 of 10 compared match (90%), 5 errors and 3 skips besides; /users: 10 of 10.
    const file = await shadowLog([...events('/orders', 9, 1, 5, 3), ...events('/users', 10, 0, 0)]);
    const at = async (pct: string) => cli(['report', '--file', file, '--fail-under', pct]);
    expect((await at('90')).code).toBe(0);
    const above = await at('90.5');
    expect(above.code).toBe(1);
    expect(above.out).toMatch(/FAIL\s+\/orders\s+90\.0% \(9 of 10\)/);
    expect(above.out).toMatch(/pass\s+\/users\s+100\.0% \(10 of 10\)/);
    expect(above.out).toContain('gate: FAIL');
    // The report's own rate (the verdict's) counts the errors as not matching, and says so, so
    // that 9 of 15 there and 9 of 10 in the gate do not read as a contradiction.
    expect(above.out).toContain('match rate 60.0% (9 of 15 compared, shadow errors counted as not matching)');
    expect(above.out).toContain('match rate 100.0% (10 of 10 compared)\n');
    expect((await cli(['report', '--file', file])).code).toBe(0);
  });

  it('names each source in full, however long its path, with its counts after it', async () => {
    const file = await shadowLog(events('/orders', 2, 0, 0));
    const long = await shadowLog(events('/orders', 2, 0, 0)); // a second file, moved to a long name
    const name = `${'a-very-long-folder-name-'.repeat(4)}shadow.jsonl`;
    const longPath = long.replace(/shadow\.jsonl$/, name);
    await rename(long, longPath);
    const r = await cli(['report', '--file', file, '--file', longPath]);
    expect(r.out).toContain(`file  ${longPath}: 2 event(s), 1 route(s)\n`);
  });

  it('does not count a route with nothing compared, and fails when no route compared anything', async () => {
    const some = await shadowLog([...events('/orders', 5, 0, 0), ...events('/users', 0, 0, 4)]);
    const r = await cli(['report', '--file', some, '--fail-under', '100', '--json']);
    expect(r.code).toBe(0);
    const gate = (JSON.parse(r.out) as { gate: { pass: boolean; routes: { route: string; counted: boolean; matchRate: number | null }[] } }).gate;
    expect(gate.pass).toBe(true);
    expect(gate.routes).toEqual([
      expect.objectContaining({ route: '/orders', counted: true, matchRate: 1 }),
      expect.objectContaining({ route: '/users', counted: false, matchRate: null }),
    ]);

    const none = await shadowLog(events('/users', 0, 0, 4));
    const n = await cli(['report', '--file', none, '--fail-under', '50']);
    expect(n.code).toBe(1);
    expect(n.out).toContain('nothing was compared');
  });
});
