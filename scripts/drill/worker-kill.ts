// Scenario "worker" (--workers 2+): the fault scenario's stack; a closed-loop GET load (every
// client always has a request out, so a kill finds some in flight); at killAtMs one worker is
// SIGKILLed. Counted: the requests in flight at the kill (sent and unanswered when the signal
// went, or sent before the process was gone), across all workers: the client cannot tell which
// worker a connection is on, so this bounds the killed worker's share from above. The bar: the
// client-visible errors are at most that count, and a replacement worker is ready within 10 s.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { epochMs, int, secs, sleepUntil, topErrors, verdictOf } from './kit.js';
import { Load } from './load.js';
import { USERS_PATHS } from './fault.js';
import type { DrillOptions, Verdict } from './runner.js';
import type { Stack } from './stack.js';

export const WORKER_DEFAULTS = { clients: 16, durationMs: 6000, killAtMs: 2000, replaceBarMs: 10_000 } as const;
export interface WorkerKillOptions extends DrillOptions {
  readonly killAtMs: number;
}
interface WorkerShown { readonly pid: number; readonly ready: boolean }

const workersOf = async (stack: Stack): Promise<WorkerShown[]> => ((await stack.admin.routes()) as { workers?: WorkerShown[] }).workers ?? [];

/** Gone: no such process, or a zombie (exited, not yet reaped by the primary). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

export async function runWorkerKill(o: WorkerKillOptions, stack: Stack): Promise<Verdict> {
  const before = await workersOf(stack);
  if (before.length < 2) throw new Error(`the worker drill needs --workers 2 or more (/routes lists ${before.length} workers)`);
  const victim = before[0]!.pid;
  const load = new Load({ origin: stack.proxyUrl, paths: USERS_PATHS, clients: o.clients, timeoutMs: 5000, none: 0, sideOf: () => ({ side: 1 }) }).start();
  const reasons: string[] = [];
  let killAt = 0;
  let goneAt = 0;
  let replacedAt: number | undefined;
  try {
    const t0 = load.record.startedAt;
    o.say(`closed-loop load: ${o.clients} clients; killing worker pid ${victim} at +${secs(o.killAtMs)}`);
    await sleepUntil(t0 + o.killAtMs);
    killAt = epochMs();
    process.kill(victim, 'SIGKILL');
    while (!gone(victim) && epochMs() - killAt < 2000) await sleep(1);
    goneAt = epochMs();
    while (replacedAt === undefined && epochMs() - killAt < WORKER_DEFAULTS.replaceBarMs) {
      const ws = await workersOf(stack).catch(() => []);
      if (ws.length === before.length && ws.every((w) => w.ready && w.pid !== victim)) replacedAt = epochMs();
      else await sleep(20);
    }
    o.say(`worker ${victim} gone after ${secs(goneAt - killAt)}; replacement ${replacedAt === undefined ? 'NOT ready' : `ready after ${secs(replacedAt - killAt)}`}`);
    await sleepUntil(t0 + o.durationMs);
    await load.stop();
  } finally {
    load.destroy();
  }
  const r = load.record;
  const idx = r.sentAt.map((_, i) => i);
  const inFlight = idx.filter((i) => r.sentAt[i]! <= killAt && r.endedAt[i]! > killAt).length;
  const sentWhileDying = idx.filter((i) => r.sentAt[i]! > killAt && r.sentAt[i]! <= goneAt).length;
  const failed = idx.filter((i) => r.failed[i]).length;
  const bound = inFlight + sentWhileDying;
  if (failed > bound) reasons.push(`${failed} client-visible errors, more than the ${bound} requests in flight at the kill`);
  if (replacedAt === undefined) reasons.push(`no replacement worker ready within ${secs(WORKER_DEFAULTS.replaceBarMs)}`);
  if (r.sentAt.length === 0) reasons.push('no request was sent');
  reasons.push(...stack.unexpectedExits());
  const out = [
    `worker drill: one of ${before.length} workers SIGKILLed under load (--workers ${o.workers ?? '?'})`,
    `  load      ${o.clients} keep-alive clients, closed loop, ${secs(o.durationMs)}; kill at +${secs(o.killAtMs)}`,
    `  pinning   ${o.pinning}`,
    `requests          ${int(r.sentAt.length)} sent in ${secs(r.stoppedAt - r.startedAt)}`,
    `in flight at kill ${int(inFlight)} unanswered when the signal went + ${int(sentWhileDying)} sent before the process was gone ` +
      `(${secs(goneAt - killAt)}) = ${int(bound)}, across all workers (the killed one's share is at most this)`,
    `client errors     ${int(failed)} (bar: <= ${int(bound)})`,
    ...topErrors(r.errors, 5),
    `replacement       ${replacedAt === undefined ? 'not ready' : `ready after ${secs(replacedAt - killAt)} (/routes: ${before.length} workers, all ready, pid ${victim} gone)`}`,
  ];
  return verdictOf(out, stack.log, reasons, () =>
    `PASS: ${int(failed)} client-visible errors <= ${int(bound)} requests in flight at the kill; replacement ready after ${secs(replacedAt! - killAt)}`);
}
