// The reload drill itself, as a function (the CLI in scripts/drill-reload.ts and the test call it):
// two upstreams, strangler in front with /svc -> blue, a steady keep-alive load on /svc, and the
// routes file rewritten N times (valid writes flip /svc between blue and green, every k-th write
// is invalid), each write replaced in one of the real-life ways; then the summary and verdict.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/config/load.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { allowedCpus, planPinning } from '../bench/cpu.js';
import { busyPercent, cpuSnapshot, groupCpuSeconds, sampleBusy } from '../bench/cpu-usage.js';
import { describeExit } from '../lib/demo/child.js';
import { analyseDrill, type DrillSummary, type RoutesSeen, type WriteResult } from './reload-analyse.js';
import { onCleanup } from './reload-cleanup.js';
import { startLoad, type Load } from './reload-load.js';
import { other, planWrites, type PlannedWrite } from './reload-plan.js';
import { adminJson, reloadCounters, startProxy, type DrillProxy, type ReloadOutcomeLine } from './reload-proxy.js';
import { COLORS, invalidRoutesYaml, routesYaml, RoutesFile, type Color } from './reload-routes-file.js';
import { startNamedUpstream, type NamedUpstream } from './reload-upstreams.js';

export interface DrillOptions {
  /** The built proxy: dist/src/main.js. */
  readonly stranglerMain: string;
  readonly rewrites?: number;          // default 100
  readonly invalidEvery?: number;      // default 7
  readonly clients?: number;           // default 32
  readonly minGapMs?: number;          // default 250
  readonly maxGapMs?: number;          // default 400
  readonly seed?: number;              // default 1
  readonly pin?: boolean;              // default true: proxy on its own CPU (taskset)
  readonly maxDurationMs?: number;     // default 60000: the whole drill, start-up included
  readonly maxSwitchMs?: number;       // default 1000: the bar for the p99 switch time
  readonly requestTimeoutMs?: number;  // default 5000 (the proxy's own timeoutMs is ~2 s)
  readonly idleCheckMs?: number;       // default 1000: how busy the machine is before the drill (0: skip)
  /** Progress lines (one per write); default: none. */
  readonly log?: (line: string) => void;
}

export const DRILL_DEFAULTS = {
  rewrites: 100,
  invalidEvery: 7,
  clients: 32,
  minGapMs: 250,
  maxGapMs: 400,
  seed: 1,
  maxDurationMs: 60_000,
  maxSwitchMs: 1000,
  requestTimeoutMs: 5000,
  idleCheckMs: 1000,
} as const;

const INITIAL: Color = COLORS[0];
const BASELINE_MS = 500;        // load before the first write
const TAIL_MS = 600;
const TIMEOUT_MS = 2000;        // defaults.timeoutMs; write n sets TIMEOUT_MS + n            // load after the last write's gap
const OUTCOME_TIMEOUT_MS = 3000; // longest wait for a write's reload line

interface Prepared extends PlannedWrite {
  readonly text: string;
  readonly expectedVersion: string;
  readonly versionBefore: string;
}

/** Every file's content, checked with the proxy's own parser: valid ones give the version to
 *  expect, invalid ones must really be invalid (else the drill, not the proxy, is wrong). */
function prepare(plan: readonly PlannedWrite[], urls: Record<Color, string>, file: string, initialVersion: string): Prepared[] {
  let live = initialVersion;
  return plan.map((p) => {
    const note = `strangler reload drill, write ${p.n} of ${plan.length}: ${p.invalid ? `invalid (${p.invalid})` : `/svc -> ${p.after}`}, ${p.mode}`;
    const params = { urls, note, timeoutMs: TIMEOUT_MS + p.n };
    const text = p.invalid ? invalidRoutesYaml(params, p.invalid, other(p.before)) : routesYaml(params, p.after);
    const parsed = parseConfig(text, file, {});
    if (p.invalid && parsed.ok) throw new Error(`drill bug: the '${p.invalid}' file of write ${p.n} is valid:\n${text}`);
    if (!p.invalid && !parsed.ok) throw new Error(`drill bug: the file of write ${p.n} is invalid: ${JSON.stringify(parsed.errors)}\n${text}`);
    const versionBefore = live;
    if (parsed.ok) live = parsed.version;
    return { ...p, text, expectedVersion: live, versionBefore };
  });
}

async function readRoutes(adminUrl: string): Promise<RoutesSeen> {
  try {
    const t = await adminJson<{ version?: string; routes?: { prefix: string; upstream: string }[]; lastRejected?: unknown }>(adminUrl, '/routes');
    const svc = t.routes?.find((r) => r.prefix === '/svc')?.upstream;
    return { ...(t.version ? { version: t.version } : {}), ...(svc ? { svcUpstream: svc } : {}), lastRejected: t.lastRejected != null };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function sinceLoad(at: number, loadStart: number): string {
  const s = (at - loadStart) / 1000;
  return `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(3)}s`;
}

function progressLine(p: Prepared, how: string, line: ReloadOutcomeLine | undefined, at: number, writtenAt: number, total: number, loadStart: number): string {
  const what = p.invalid ? `invalid ${p.invalid}` : `/svc ${p.before} -> ${p.after}`;
  const seen = line ? `${line.kind} ${line.version ?? line.liveVersion ?? ''} ${(line.at - writtenAt).toFixed(0)} ms later` : 'NO reload line';
  const took = writtenAt - at;
  return `#${String(p.n).padStart(String(total).length)} t${sinceLoad(at, loadStart)} ${what.padEnd(24)} ${how.padEnd(34)} written in ${took < 10 ? took.toFixed(1) : took.toFixed(0)} ms, ${seen}`;
}

/** How busy the machine is before the drill starts: other work makes both the proxy and the drill late. */
async function idleCheck(cpus: readonly number[], ms: number): Promise<string> {
  const busy = await sampleBusy(cpus, ms);
  const parts = [...busy].map(([c, p]) => `cpu ${c} ${p.toFixed(0)}%`);
  const text = `busy before the drill (${(ms / 1000).toFixed(1)} s): ${parts.join(', ') || '?'}`;
  return [...busy.values()].some((p) => p > 15) ? `${text}  (NOT idle: other work competes with the proxy and the drill)` : text;
}

/** CPU during the load, in cores: the drill itself, the proxy, and everything else on the machine. */
function cpuDuringLoad(
  cpus: readonly number[],
  start: { cpu: ReturnType<typeof cpuSnapshot>; drill: NodeJS.CpuUsage; proxy: number | undefined },
  proxyEnd: number | undefined,
  seconds: number,
): string {
  const end = cpuSnapshot();
  const per = cpus.map((c) => [c, busyPercent(start.cpu, end, c)] as const).filter((x): x is readonly [number, number] => x[1] !== undefined);
  const totalCores = per.reduce((a, [, p]) => a + p / 100, 0);
  const drillUsage = process.cpuUsage(start.drill);
  const drillCores = (drillUsage.user + drillUsage.system) / 1e6 / seconds;
  const proxyCores = start.proxy !== undefined && proxyEnd !== undefined ? (proxyEnd - start.proxy) / seconds : undefined;
  const others = proxyCores !== undefined && per.length ? Math.max(0, totalCores - drillCores - proxyCores) : undefined;
  return (
    `during the load: ${per.map(([c, p]) => `cpu ${c} ${p.toFixed(0)}% busy`).join(', ') || 'cpu use unknown'}; ` +
    `drill ${drillCores.toFixed(2)} cores, proxy ${proxyCores?.toFixed(2) ?? '?'} cores` +
    (others !== undefined ? `, everything else ${others.toFixed(2)} cores${others > 0.3 ? ' (NOT idle)' : ''}` : '')
  );
}

export async function runDrill(options: DrillOptions): Promise<DrillSummary> {
  const o = { ...DRILL_DEFAULTS, ...options };
  const log = options.log ?? (() => {});
  const startedAt = performance.now();
  const deadline = startedAt + o.maxDurationMs;
  const plan = planWrites({ rewrites: o.rewrites, invalidEvery: o.invalidEvery, minGapMs: o.minGapMs, maxGapMs: o.maxGapMs, seed: o.seed, initial: INITIAL });

  const tmp = mkdtempSync(join(tmpdir(), 'strangler-drill-'));
  const removeTmp = onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
  const upstreams: NamedUpstream[] = [];
  let proxy: DrillProxy | undefined;
  let killProxy: (() => void) | undefined;
  let load: Load | undefined;
  try {
    for (const c of COLORS) upstreams.push(await startNamedUpstream(c));
    const urls = Object.fromEntries(upstreams.map((u) => [u.name, u.url])) as Record<Color, string>;
    const file = new RoutesFile(tmp);
    const initialText = routesYaml({ urls, note: 'strangler reload drill: the initial file', timeoutMs: TIMEOUT_MS }, INITIAL);
    const initial = parseConfig(initialText, file.path, {});
    if (!initial.ok) throw new Error(`drill bug: the initial file is invalid: ${JSON.stringify(initial.errors)}`);
    const prepared = prepare(plan, urls, file.path, initial.version);
    file.write(initialText, 'in-place');

    // Before pinning: it narrows this process's own CPU list.
    const cpus = allowedCpus();
    const machine: string[] = [];
    if (o.idleCheckMs > 0) machine.push(await idleCheck(cpus, o.idleCheckMs));
    const pinning = planPinning(o.pin !== false);
    const pinText = pinning.proxyCpu === undefined ? pinning.description : `proxy on cpu ${pinning.proxyCpu}; drill (load + upstreams) on cpu ${pinning.loadCpu} (taskset)`;
    proxy = await startProxy({ main: o.stranglerMain, configFile: file.path, cpu: pinning.proxyCpu });
    killProxy = onCleanup(proxy.kill);
    const first = await readRoutes(proxy.adminUrl);
    if (first.version !== initial.version) throw new Error(`the proxy started with version ${first.version ?? first.error}, expected ${initial.version}`);
    const countersBefore = await reloadCounters(proxy.adminUrl);
    log(`drill: proxy pid ${proxy.pid} on 127.0.0.1:${proxy.port} (admin ${proxy.adminUrl}), file ${file.path}, initial version ${initial.version}`);

    load = startLoad({ origin: `http://127.0.0.1:${proxy.port}`, path: '/svc', clients: o.clients, timeoutMs: o.requestTimeoutMs, names: COLORS });
    const loadStart = performance.now();
    const usageStart = { cpu: cpuSnapshot(), drill: process.cpuUsage(), proxy: groupCpuSeconds(proxy.pid) };
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    await sleep(BASELINE_MS);

    const done: (Omit<WriteResult, 'outcomes'>)[] = [];
    for (const p of prepared) {
      if (performance.now() + p.gapMs + TAIL_MS > deadline) {
        log(`drill: stopping after ${done.length} writes: the drill is bounded to ${o.maxDurationMs / 1000} s`);
        break;
      }
      if (!proxy.running()) {
        log(`drill: the proxy is gone; stopping after ${done.length} writes`);
        break;
      }
      const at = performance.now();
      const how = file.write(p.text, p.mode);
      const writtenAt = performance.now();
      const line = await proxy.nextOutcome(at, Math.max(p.gapMs, OUTCOME_TIMEOUT_MS));
      const routes = line ? await readRoutes(proxy.adminUrl) : undefined;
      const rest = at + p.gapMs - performance.now();
      if (rest > 0) await sleep(rest);
      log(progressLine(p, how, line, at, writtenAt, prepared.length, loadStart));
      done.push({
        n: p.n,
        ...(p.invalid ? { invalid: p.invalid } : {}),
        before: p.before,
        after: p.after,
        mode: p.mode,
        how,
        at,
        writtenAt,
        expectedVersion: p.expectedVersion,
        versionBefore: p.versionBefore,
        ...(routes ? { routes } : {}),
      });
    }
    await sleep(TAIL_MS);
    const loadEnd = performance.now();
    loopDelay.disable();
    machine.push(cpuDuringLoad(cpus, usageStart, groupCpuSeconds(proxy.pid), (loadEnd - loadStart) / 1000));
    machine.push(`the drill's event loop ran up to ${(loopDelay.max / 1e6).toFixed(0)} ms late (p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms)`);
    const record = load.record;
    await load.stop();
    load = undefined;

    let countersAfter: Record<string, number> | undefined;
    let countersError: string | undefined;
    try {
      countersAfter = await reloadCounters(proxy.adminUrl);
    } catch (err) {
      countersError = (err as Error).message;
    }
    const outcomes = proxy.outcomes;
    const writes: WriteResult[] = done.map((w, i) => {
      const until = done[i + 1]?.at ?? Infinity;
      return { ...w, outcomes: outcomes.filter((x) => x.at >= w.at && x.at < until) };
    });
    const diedEarly = !proxy.running();
    const exit = await proxy.stop();
    killProxy();
    const proxyExit = diedEarly ? `DIED during the drill: ${describeExit(exit)}` : `on SIGTERM: ${exit.error ? exit.error.message : describeExit(exit)}`;

    return analyseDrill({
      initial: INITIAL,
      clients: o.clients,
      plannedWrites: plan.length,
      writes,
      load: record,
      loadStart,
      loadEnd,
      durationMs: performance.now() - startedAt,
      countersBefore,
      ...(countersAfter ? { countersAfter } : {}),
      ...(countersError ? { countersError } : {}),
      pinning: pinText,
      proxyErrorLines: proxy.errorLines,
      proxyExit,
      maxSwitchMs: o.maxSwitchMs,
      machine,
      proxyLog: proxy.otherLines.map((x) => `t${sinceLoad(x.at, loadStart)} ${x.line}`),
    });
  } finally {
    if (load) await load.stop().catch(() => {});
    if (proxy?.running()) await proxy.stop(2000).catch(() => undefined);
    killProxy?.();
    await Promise.all(upstreams.map((u) => u.close()));
    removeTmp();
  }
}
