// The pure build of the migration status (status/build.ts) from its inputs: the contract's stage
// rules and their edge cases, the shares off legacy, the canary's percentage, and the ready texts.

import { describe, expect, it } from 'vitest';
import { buildStatus } from '../src/status/build.js';
import type { CellSide, RouteLive, StatusCells } from '../src/status/cells.js';
import type { StatusInput } from '../src/status/merge.js';
import { stageOf } from '../src/status/stage.js';
import type { RouteInput } from '../src/status/table-input.js';
import type { CanaryProgressView } from '../src/status/types.js';
import { emptyHistogram, observe } from '../src/shadow/histogram.js';
import { emptyReport, type ShadowReport } from '../src/shadow/report.js';

const NOW = new Date('2026-03-04T05:00:00Z');

const route = (label: string, upstream: string, extra: Partial<RouteInput> = {}): RouteInput => ({
  label, prefix: label, host: null, upstream, shadow: null, canary: null, fallback: null, ...extra,
});

function side(route: string, upstream: string, role: CellSide['role'], window: [number, number], total: [number, number] = window, ms = 10): CellSide {
  const h = (n: number) => {
    const x = emptyHistogram();
    for (let i = 0; i < n; i++) observe(x, ms);
    return x;
  };
  return { route, upstream, role, window: { requests: window[0], errors: window[1], latency: h(window[0]) }, total: { requests: total[0], errors: total[1], latency: h(total[0]) } };
}

function input(routes: RouteInput[], cells: Partial<StatusCells> = {}, shadow: ShadowReport[] = [], legacy: string | null = 'legacy'): StatusInput {
  return {
    version: 'v1', legacyUpstream: legacy, routes, shadow, reloads: [],
    cells: { windowMs: 300_000, sides: [], fallbacks: {}, series: [], live: [], ...cells },
  };
}

function shadowReport(label: string, match: number, mismatch: number): ShadowReport {
  return { ...emptyReport(label, NOW.toISOString()), mirrored: match + mismatch, match, mismatch };
}

const progress = (percent: number, state: CanaryProgressView['state']): CanaryProgressView => ({
  percent, steps: [5, 25, 50, 100], step: [5, 25, 50, 100].indexOf(percent), state, stepStartedAt: NOW.toISOString(), nextCheckAt: null, last: null,
});

const live = (route: string, l: Partial<RouteLive>): RouteLive => ({ route, halted: null, progress: null, breaker: null, ...l });

describe('the stage of a route', () => {
  it('follows the contract: canary whatever else, then cut over, shadowing, legacy', () => {
    expect(stageOf({ upstream: 'legacy', shadow: null, canary: null }, 'legacy')).toEqual({ stage: 'legacy', stageText: 'legacy' });
    expect(stageOf({ upstream: 'legacy', shadow: 'users', canary: null }, 'legacy')).toEqual({ stage: 'shadowing', stageText: 'shadowing' });
    expect(stageOf({ upstream: 'users', shadow: null, canary: null }, 'legacy')).toEqual({ stage: 'cut over', stageText: 'cut over' });
    // cut over even when it shadows to the legacy one
    expect(stageOf({ upstream: 'users', shadow: 'legacy', canary: null }, 'legacy').stage).toBe('cut over');
    // a canary route is `canary N%` whatever else it has: a shadow, a non-legacy upstream
    expect(stageOf({ upstream: 'legacy', shadow: 'users', canary: { percent: 25 } }, 'legacy')).toEqual({ stage: 'canary', stageText: 'canary 25%' });
    expect(stageOf({ upstream: 'users', shadow: 'legacy', canary: { percent: 5 } }, 'legacy').stageText).toBe('canary 5%');
    // no legacy upstream: no route is legacy
    expect(stageOf({ upstream: 'legacy', shadow: null, canary: null }, null).stage).toBe('cut over');
  });

  it('shows a halted canary at 0%, a progressive one at its live step', () => {
    const routes = [
      route('/a', 'legacy', { canary: { upstream: 'users', percent: 25 } }),
      route('/b', 'legacy', { canary: { upstream: 'users', percent: 25 } }),
      route('/c', 'legacy', { canary: { upstream: 'users', percent: 5 } }),
    ];
    const s = buildStatus(input(routes, { live: [live('/a', { halted: { at: NOW.toISOString(), reason: 'error rate' } }), live('/c', { progress: progress(50, 'climbing') })] }), NOW);
    expect(s.routes.map((r) => [r.stageText, r.canary!.percent])).toEqual([['canary 0%', 0], ['canary 25%', 25], ['canary 50%', 50]]);
    expect(s.routes[0]!.canary!.halted).toEqual({ at: NOW.toISOString(), reason: 'error rate' });
    expect(s.routes[2]!.canary!.progress!.state).toBe('climbing');
  });
});

describe('the progress', () => {
  it('is the share answered off legacy (shadow copies left out), and the routes cut over', () => {
    const routes = [route('/users', 'users', { shadow: 'legacy' }), route('/orders', 'legacy', { shadow: 'orders' }), route('/', 'legacy')];
    const sides = [
      side('/users', 'users', 'primary', [30, 0], [300, 1]),
      side('/users', 'legacy', 'shadow', [30, 0], [300, 0]),
      side('/users', 'legacy', 'primary', [0, 0], [100, 0]), // before the cut-over: since start only
      side('/orders', 'legacy', 'primary', [20, 2], [20, 2]),
      side('/', 'legacy', 'primary', [50, 0], [80, 0]),
    ];
    const s = buildStatus(input(routes, { sides }), NOW);
    expect(s.progress.last5m).toEqual({ requests: 100, nonLegacy: 30, share: 0.3 });
    expect(s.progress.sinceStart).toEqual({ requests: 500, nonLegacy: 300, share: 0.6 });
    expect(s.progress.routes).toEqual({ total: 3, cutOver: 1, share: 1 / 3 });
    // the old legacy side has no requests in the window: not shown; the configured ones are
    expect(s.routes[0]!.sides.map((x) => [x.role, x.upstream, x.requests])).toEqual([['primary', 'users', 30], ['shadow', 'legacy', 30]]);
    expect(s.routes[1]!.sides[0]).toEqual({ upstream: 'legacy', role: 'primary', requests: 20, rps: 0.067, errorRate: 0.1, fellBack: 0, p99Ms: expect.closeTo(10, 0) });
  });

  it('has null shares without requests or routes', () => {
    const s = buildStatus(input([]), NOW);
    expect(s.progress.last5m).toEqual({ requests: 0, nonLegacy: 0, share: null });
    expect(s.progress.routes).toEqual({ total: 0, cutOver: 0, share: null });
  });
});

describe('what is ready', () => {
  it('a shadowing route at 99% or more over 1,000 or more compared; a canary at its last step', () => {
    const routes = [
      route('/orders', 'legacy', { shadow: 'orders' }), // 99.8% over 12,400
      route('/low', 'legacy', { shadow: 'orders' }), // 98.9%
      route('/few', 'legacy', { shadow: 'orders' }), // 100% over 999
      route('/cut', 'users', { shadow: 'legacy' }), // already cut over: not listed
      route('/users', 'legacy', { canary: { upstream: 'users', percent: 5 } }),
      route('/climbing', 'legacy', { canary: { upstream: 'users', percent: 5 } }),
    ];
    const shadow = [shadowReport('/orders', 12_375, 25), shadowReport('/low', 989, 11), shadowReport('/few', 999, 0), shadowReport('/cut', 5000, 0)];
    const s = buildStatus(input(routes, { live: [live('/users', { progress: progress(100, 'ready') }), live('/climbing', { progress: progress(25, 'climbing') })] }, shadow), NOW);
    expect(s.ready).toEqual([
      { route: '/orders', text: '/orders: 99.7% match over 12,400 requests: ready to cut over' },
      { route: '/users', text: '/users: canary at 100% and healthy: ready to cut over: set upstream: users' },
    ]);
    expect(s.routes[0]!.shadow).toMatchObject({ upstream: 'orders', verdict: 'ready', compared: 12_400, match: 12_375, mismatch: 25 });
    expect(s.routes[0]!.shadow!.matchRate).toBeCloseTo(12_375 / 12_400, 12);
  });

  it('exactly 99% over exactly 1,000 is ready', () => {
    const s = buildStatus(input([route('/x', 'legacy', { shadow: 'new' })], {}, [shadowReport('/x', 990, 10)]), NOW);
    expect(s.ready).toEqual([{ route: '/x', text: '/x: 99.0% match over 1,000 requests: ready to cut over' }]);
  });
});

describe('the rest of a route', () => {
  it('carries the breaker, the fallbacks and the newest 10 reloads', () => {
    const reloads = Array.from({ length: 12 }, (_, i) => ({ at: `2026-03-04T05:00:${String(59 - i).padStart(2, '0')}Z`, result: 'success', trigger: 'watch', changes: [`change ${i}`] }));
    const s = buildStatus({ ...input([route('/gone', 'gone', { fallback: 'legacy' })], { fallbacks: { '/gone': 4 }, live: [live('/gone', { breaker: { primary: 'open', canary: null } })] }), reloads }, NOW);
    expect(s.routes[0]).toMatchObject({ fallbacks: 4, breaker: { primary: 'open', canary: null } });
    expect(s.routes[0]!.sides.map((x) => x.role)).toEqual(['primary', 'fallback']);
    expect(s.reloads).toHaveLength(10);
    expect(s.reloads[0]!.changes).toEqual(['change 0']);
  });
});
