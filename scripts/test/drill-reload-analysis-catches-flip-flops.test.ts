import { describe, expect, it } from 'vitest';
import { analyseDrill, FAILED, type DrillInput, type WriteResult } from '../drill/reload-analyse.js';
import type { ReloadOutcomeLine } from '../drill/reload.js';
import { percentiles } from '../lib/stats.js';

// The verdict on made-up observations: the drill must be able to say FAIL.
const BLUE = 0;
const GREEN = 1;

/** One request every 10 ms from t=0, answered as `who` says. */
function record(who: number[]): DrillInput['load'] {
  return {
    sentAt: who.map((_, i) => i * 10),
    side: who,
    failed: who.map((w) => w === FAILED),
    errors: new Map(who.includes(FAILED) ? [['HTTP 502', who.filter((w) => w === FAILED).length]] : []),
  };
}

const reloaded = (at: number, previousVersion: string, version: string, change: string): ReloadOutcomeLine => ({
  at,
  kind: 'reloaded',
  trigger: 'watch',
  version,
  previousVersion,
  changes: [change],
});
const rejected = (at: number, liveVersion: string): ReloadOutcomeLine => ({ at, kind: 'rejected', trigger: 'watch', liveVersion, errors: ['x'] });

/** Write 1 at t=100 flips /svc to green (v1 -> v2); write 2 at t=300 is invalid. */
function input(who: number[], over: Partial<DrillInput> = {}): DrillInput {
  const writes: WriteResult[] = [
    {
      n: 1, before: 'blue', after: 'green', mode: 'rename', how: 'rename', at: 100, writtenAt: 100, expectedVersion: 'v2', versionBefore: 'v1',
      outcomes: [reloaded(150, 'v1', 'v2', '/svc: upstream blue -> green')],
      routes: { version: 'v2', svcUpstream: 'green', lastRejected: false },
    },
    {
      n: 2, invalid: 'empty', before: 'green', after: 'green', mode: 'in-place', how: 'in-place', at: 300, writtenAt: 300, expectedVersion: 'v2', versionBefore: 'v2',
      outcomes: [rejected(350, 'v2')],
      routes: { version: 'v2', svcUpstream: 'green', lastRejected: true },
    },
  ];
  return {
    initial: 'blue', plannedWrites: 2, writes, load: record(who), loadStart: 0, loadEnd: who.length * 10,
    countersBefore: { success: 1 }, countersAfter: { success: 2, invalid: 1 }, maxSwitchMs: 1000, ...over,
  };
}

// 50 requests: 0..9 before write 1, switch at request 15 (t=150), write 2 at request 30.
const clean = [...Array<number>(15).fill(BLUE), ...Array<number>(35).fill(GREEN)];
/** `clean` with request i answered by `by` instead. */
const changed = (i: number, by: number): number[] => clean.map((w, j) => (j === i ? by : w));

describe('the drill verdict', () => {
  it('passes a clean switch and measures it from the write to the first request the new upstream answered', () => {
    const s = analyseDrill(input(clean));
    expect(s.reasons).toEqual([]);
    expect(s.pass).toBe(true);
    expect(s.switches).toMatchObject({ count: 1, p50: 50, max: 50, flipFlopWrites: 0 });
    expect(s.applied).toBe(1);
    expect(s.rejected).toBe(1);
  });

  it('fails a flip-flop: the old upstream answers a request sent after the new one answered', () => {
    const s = analyseDrill(input(changed(20, BLUE)));
    expect(s.pass).toBe(false);
    expect(s.switches).toMatchObject({ flipFlopWrites: 1, strayResponses: 1 });
  });

  it('fails when the served upstream changes after an invalid write', () => {
    const s = analyseDrill(input(changed(40, BLUE)));
    expect(s.pass).toBe(false);
    expect(s.invalidServedUnchanged).toBe(0);
  });

  it('fails on a failed request, a switch never seen, a missing reload line, and a slow switch', () => {
    expect(analyseDrill(input(changed(5, FAILED))).reasons).toContain('1 failed requests');

    const never = analyseDrill(input(Array<number>(50).fill(BLUE)));
    expect(never.switches.missing).toBe(1);
    expect(never.pass).toBe(false);

    const base = input(clean);
    const noLine = analyseDrill({ ...base, writes: [{ ...base.writes[0]!, outcomes: [] }, base.writes[1]!] });
    expect(noLine.applied).toBe(0);
    expect(noLine.pass).toBe(false);

    expect(analyseDrill(input(clean, { maxSwitchMs: 40 })).reasons).toContain('switch time p99 50 ms >= 40 ms');
  });

  it('nearest-rank percentiles', () => {
    expect(percentiles([])).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
    expect(percentiles([5, 1, 3, 2, 4])).toEqual({ count: 5, p50: 3, p99: 5, max: 5 });
  });
});
