// Scenario "reload": two upstreams in the drill process (blue, green: each names itself in
// x-upstream and the body), strangler in front with /svc -> blue, a closed-loop keep-alive load on
// /svc, and the routes file rewritten N times (valid writes flip /svc, every k-th write is
// invalid), each replaced in one of the real-life ways; then the analysis (reload-analyse.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/config/load.js';
import { LOG, msgField } from '../../src/observability/log-messages.js';
import { epochMs, metricBy, type LogEntry } from './kit.js';
import { Load } from './load.js';
import { analyseDrill, FAILED, type RoutesSeen, type WriteResult } from './reload-analyse.js';
import { COLORS, invalidRoutesYaml, other, planWrites, routesYaml, RoutesFile, type Color } from './reload-file.js';
import { withStack, type DrillOptions as RunnerOptions } from './runner.js';
import type { Stack } from './stack.js';

export type OutcomeKind = 'reloaded' | 'rejected' | 'unchanged' | 'failed';
export interface ReloadOutcomeLine {
  /** Epoch ms when the line arrived. */
  readonly at: number;
  readonly kind: OutcomeKind;
  readonly trigger: string;
  readonly version?: string;
  readonly previousVersion?: string;
  readonly liveVersion?: string;
  readonly changes?: readonly string[];
  readonly errors?: readonly string[];
}
const KIND: Readonly<Record<string, OutcomeKind>> = { [LOG.configReloaded]: 'reloaded', [LOG.configRejected]: 'rejected', [LOG.configUnchanged]: 'unchanged', [LOG.configReloadFailed]: 'failed' };
function outcome(e: LogEntry): ReloadOutcomeLine | undefined {
  const kind = KIND[e['msg'] as string];
  if (kind === undefined) return undefined;
  const str = (k: string) => (typeof e[k] === 'string' ? { [k]: e[k] as string } : {});
  const list = (k: string) => (Array.isArray(e[k]) ? { [k]: (e[k] as unknown[]).map(String) } : {});
  return { at: e.arrivedAt, kind, trigger: typeof e['trigger'] === 'string' ? e['trigger'] : '?', ...str('version'), ...str('previousVersion'), ...str('liveVersion'), ...list('changes'), ...list('errors') };
}

/** maxDurationMs: the whole drill, start-up included; maxSwitchMs: the bar for the p99 switch time. */
export const DRILL_DEFAULTS = { rewrites: 100, invalidEvery: 7, clients: 32, minGapMs: 250, maxGapMs: 400, seed: 1, maxDurationMs: 60_000, maxSwitchMs: 1000, requestTimeoutMs: 5000 } as const;
/** stranglerMain: the built proxy (default dist/src/main.js); pin: the proxy on its own CPU; log: progress lines. */
export type DrillOptions = { readonly [K in keyof typeof DRILL_DEFAULTS]?: number } & { stranglerMain?: string; pin?: boolean; log?: (line: string) => void };
const INITIAL: Color = COLORS[0];
const BASELINE_MS = 500; // load before the first write
const TAIL_MS = 600; // load after the last write's gap
const TIMEOUT_MS = 2000; // defaults.timeoutMs; write n sets TIMEOUT_MS + n (a version per write)
const OUTCOME_TIMEOUT_MS = 3000; // longest wait for a write's reload line

async function upstream(name: string): Promise<{ url: string; close: () => Promise<void> }> {
  const body = Buffer.from(`${name}\n`);
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length), 'x-upstream': name }).end(body);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const close = (): Promise<void> => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

async function readRoutes(stack: Stack): Promise<RoutesSeen> {
  try {
    const t = await stack.admin.routes();
    const svc = t.routes?.find((r) => r.prefix === '/svc')?.upstream;
    return { ...(t.version ? { version: t.version } : {}), ...(svc ? { svcUpstream: svc } : {}), lastRejected: t.lastRejected != null };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
async function reloadCounters(stack: Stack): Promise<Record<string, number>> {
  const by = metricBy(await stack.admin.metrics(), 'strangler_config_reloads_total', {}, 'result');
  by.delete('');
  return Object.fromEntries(by);
}
const since = (at: number, t0: number): string => `${at < t0 ? '-' : '+'}${(Math.abs(at - t0) / 1000).toFixed(3)}s`;

export type DrillSummary = Awaited<ReturnType<typeof runDrill>>;

export async function runDrill(options: DrillOptions) {
  const o = { ...DRILL_DEFAULTS, ...options };
  const log = options.log ?? (() => {});
  const startedAt = epochMs();
  const plan = planWrites({ rewrites: o.rewrites, invalidEvery: o.invalidEvery, minGapMs: o.minGapMs, maxGapMs: o.maxGapMs, seed: o.seed, initial: INITIAL });
  const ups = await Promise.all(COLORS.map(upstream));
  const urls = { blue: ups[0]!.url, green: ups[1]!.url } as Record<Color, string>;
  // Every file's content, checked with the proxy's own parser: valid ones give the version to
  // expect, invalid ones must really be invalid (else the drill, not the proxy, is wrong).
  const initialText = routesYaml({ urls, note: 'strangler reload drill: the initial file', timeoutMs: TIMEOUT_MS }, INITIAL);
  const initial = parseConfig(initialText, 'routes.yaml', {});
  if (!initial.ok) throw new Error(`drill bug: the initial file is invalid: ${JSON.stringify(initial.errors)}`);
  let live = initial.version;
  const prepared = plan.map((p) => {
    const params = { urls, note: `strangler reload drill, write ${p.n} of ${plan.length}: ${p.invalid ? `invalid (${p.invalid})` : `/svc -> ${p.after}`}, ${p.mode}`, timeoutMs: TIMEOUT_MS + p.n };
    const text = p.invalid ? invalidRoutesYaml(params, p.invalid, other(p.before)) : routesYaml(params, p.after);
    const parsed = parseConfig(text, 'routes.yaml', {});
    if (p.invalid ? parsed.ok : !parsed.ok) throw new Error(`drill bug: the file of write ${p.n} should be ${p.invalid ? 'invalid' : 'valid'}:\n${text}`);
    const versionBefore = live;
    if (parsed.ok) live = parsed.version;
    return { ...p, text, expectedVersion: live, versionBefore };
  });
  const runner: RunnerOptions = { clients: o.clients, rate: 0, durationMs: o.maxDurationMs, pin: o.pin !== false, say: log, ...(o.stranglerMain && { proxyMain: o.stranglerMain }) };
  try {
    return await withStack(runner, { apps: false, tmpPrefix: 'strangler-drill-', routesYaml: () => initialText }, async (r, stack) => {
      const file = new RoutesFile(stack.tmpDir);
      const first = await readRoutes(stack);
      if (first.version !== initial.version) throw new Error(`the proxy started with version ${first.version ?? first.error}, expected ${initial.version}`);
      const countersBefore = await reloadCounters(stack);
      const load = new Load({
        origin: stack.proxyUrl, paths: [{ path: '/svc' }], clients: o.clients, timeoutMs: o.requestTimeoutMs, none: FAILED,
        sideOf: (h, body) => {
          const side = COLORS.indexOf(h['x-upstream'] as Color);
          return { side, ok: side >= 0 && body === `${COLORS[side]}\n` };
        },
      }).start();
      const loadStart = load.record.startedAt;
      await sleep(BASELINE_MS);
      const done: Omit<WriteResult, 'outcomes'>[] = [];
      for (const p of prepared) {
        if (epochMs() + p.gapMs + TAIL_MS > startedAt + o.maxDurationMs || !stack.proxyRunning()) {
          log(`drill: stopping after ${done.length} writes: ${stack.proxyRunning() ? `the drill is bounded to ${o.maxDurationMs / 1000} s` : 'the proxy is gone'}`);
          break;
        }
        const at = epochMs();
        const how = file.write(p.text, p.mode);
        const writtenAt = epochMs();
        const e = await stack.log.waitFor((x) => x.arrivedAt >= at && outcome(x) !== undefined && outcome(x)!.kind !== 'unchanged', Math.max(p.gapMs, OUTCOME_TIMEOUT_MS));
        const line = e && outcome(e);
        const routes = line ? await readRoutes(stack) : undefined;
        await sleep(at + p.gapMs - epochMs());
        const seen = line ? `${line.kind} ${line.version ?? line.liveVersion ?? ''} ${(line.at - writtenAt).toFixed(0)} ms later` : 'NO reload line';
        log(`#${String(p.n).padStart(String(prepared.length).length)} t${since(at, loadStart)} ${(p.invalid ? `invalid ${p.invalid}` : `/svc ${p.before} -> ${p.after}`).padEnd(24)} ${how.padEnd(34)} written in ${(writtenAt - at).toFixed(1)} ms, ${seen}`);
        const { n, invalid, before, after, mode, expectedVersion, versionBefore } = p;
        done.push({ n, ...(invalid ? { invalid } : {}), before, after, mode, how, at, writtenAt, expectedVersion, versionBefore, ...(routes ? { routes } : {}) });
      }
      await sleep(TAIL_MS);
      const loadEnd = epochMs();
      await load.stop();
      let countersAfter: Record<string, number> | undefined;
      let countersError: string | undefined;
      await reloadCounters(stack).then((c) => (countersAfter = c), (err: Error) => (countersError = err.message));
      const outcomes = stack.log.entries.map(outcome).filter((x) => x !== undefined);
      const writes = done.map((w, i) => ({ ...w, outcomes: outcomes.filter((x) => x.at >= w.at && x.at < (done[i + 1]?.at ?? Infinity)) }));
      const analysed = analyseDrill({
        initial: INITIAL, plannedWrites: plan.length, writes, load: load.record, loadStart, loadEnd, maxSwitchMs: o.maxSwitchMs,
        countersBefore, ...(countersAfter ? { countersAfter } : {}), ...(countersError ? { countersError } : {}),
      });
      return { ...analysed, clients: o.clients, pinning: r.pinning, proxyExit: '', durationMs: 0, proxyErrorLines: stack.log.errorLines.filter((l) => !l.includes(msgField(LOG.configRejected))) };
    }, (s, proxyExit) => Object.assign(s, { proxyExit, durationMs: epochMs() - startedAt }));
  } finally {
    await Promise.all(ups.map((u) => u.close()));
  }
}

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`;
const counts = (m: Readonly<Record<string, number>>) => Object.entries(m).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
const pcts = (p: { p50: number; p99: number; max: number }) => `p50 ${ms(p.p50)}, p99 ${ms(p.p99)}, max ${ms(p.max)}`;

export function renderSummary(s: DrillSummary, maxSwitchMs: number): string {
  const rows: [string, string][] = [
    ['duration', `${(s.durationMs / 1000).toFixed(1)} s (start-up included)`],
    ['pinning', s.pinning],
    ['writes', `${s.writes.done} of ${s.writes.planned} (${s.writes.valid} valid, ${s.writes.invalid} invalid)`],
    ['requests sent', `${s.requests.sent} (${s.requests.perSecond.toFixed(0)}/s, ${s.clients} clients): ${counts(s.requests.byUpstream)}`],
    ['failed requests', s.requests.failed === 0 ? '0' : `${s.requests.failed}: ${counts(s.requests.failures)}`],
    ['reloads applied', `${s.applied}/${s.writes.valid}; invalid rejected ${s.rejected}/${s.writes.invalid}, served upstream unchanged after ${s.invalidServedUnchanged}`],
    ['switches observed', `${s.switches.count}/${s.writes.valid}; flip-flops ${s.switches.flipFlopWrites} writes (${s.switches.strayResponses} stray responses)`],
    ['switch time', `${pcts(s.switches)}  (end of the write -> first request sent after it that the new upstream answered)`],
    ['proxy exit', s.proxyExit],
  ];
  if (s.proxyErrorLines.length) rows.push(['proxy error lines', `${s.proxyErrorLines.length} (first: ${s.proxyErrorLines[0]!.slice(0, 200)})`]);
  rows.push(['result', s.pass
    ? `PASS (0 failed requests; ${s.applied}/${s.writes.valid} applied; ${s.rejected}/${s.writes.invalid} rejected; no flip-flop; p99 switch ${ms(s.switches.p99)} < ${maxSwitchMs} ms)`
    : `FAIL: ${s.reasons.join('; ')}`]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = ['strangler reload drill', ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`)];
  if (s.problems.length) lines.push('  problems:', ...s.problems.map((p) => `    - ${p}`));
  return lines.join('\n') + '\n';
}
