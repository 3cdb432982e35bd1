// The primary's side of the workers: forks them, hands each the current validated config (at
// start, on every reload, and to a replacement), knows which version each runs, relays a canary
// halt from one worker to the others, sends them the progressive canaries' steps (group-stepper.ts
// decides them), tells a worker just ready the steps and halts it may have missed while it started, asks them for their shadow reports, metrics and canary figures, replaces a
// worker that dies, and stops them all on shutdown. Connections are spread over the workers by
// node:cluster's default policy (round-robin by the primary on Linux).

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ReloadTrigger } from '../routing/reloader.js';
import type { ValidConfig } from '../routing/source.js';
import { LOG } from '../observability/log-messages.js';
import { BACKOFF, nextDelay, remember, type BackoffPolicy } from './backoff.js';
import { isOurs, TAG, WORKER_SLOT_ENV, type AskWhat, type FromWorker, type ToWorker } from './messages.js';
import type { CanaryHaltNote, StepSnapshot } from '../routing/canary-steps.js';
import { Waiters } from './waiters.js';
import { workersGauge } from './workers-gauge.js';

export interface WorkerView {
  readonly id: number;
  readonly pid: number | undefined;
  readonly version: string | null;
  readonly ready: boolean;
}

interface Member {
  readonly worker: Worker;
  /** Which of the `count` places it fills (a replacement takes its predecessor's: crash-loop backoff is per slot). */
  readonly slot: number;
  readonly forkedAt: number;
  version: string | null;
  ready: boolean;
}

export interface GroupDeps {
  readonly count: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The config every worker should run now. */
  readonly current: () => ValidConfig;
  /** The progressive canaries' steps, sent with every config and to a worker once it is ready (default: none). */
  readonly steps?: () => readonly StepSnapshot[];
  /** The canary halts in the primary's table, sent to a worker once it is ready (default: none). */
  readonly halts?: () => readonly CanaryHaltNote[];
  /** A worker halted a canary: the primary's own table follows (the group relays it to the others). */
  readonly onHalt: (m: Extract<FromWorker, { type: 'halt' }>) => void;
  /** Crash-loop backoff (default BACKOFF) and its clock (default Date.now). */
  readonly backoff?: BackoffPolicy;
  readonly now?: () => number;
}

export class WorkerGroup {
  readonly #deps: GroupDeps;
  readonly #members = new Map<number, Member>();
  readonly #changed = new Waiters();
  readonly #answers = new Map<number, (value: unknown) => void>();
  /** Per slot: how long its dead workers had been up (backoff.ts). */
  readonly #lifetimes = new Map<number, number[]>();
  readonly #refork = new Set<NodeJS.Timeout>();
  /** Each config version sent, with when it was last sent (its place in the order of sends). */
  readonly #sent = new Map<string, number>();
  #sends = 0;
  #nextAsk = 1;
  #stopping = false;
  #started = false;
  /** The level PUT /log-level set (null: each worker keeps the one it started with). */
  #logLevel: string | null = null;
  #startFailed: ((err: Error) => void) | null = null;
  /** The public port the workers share (known once one is ready). */
  port = 0;

  constructor(deps: GroupDeps) {
    this.#deps = deps;
    workersGauge(deps.metrics.registry, () => [...this.#members.values()].filter((m) => m.ready).length);
  }

  /** Forks every worker; resolves once all serve the public port, rejects if one dies first. */
  async start(): Promise<void> {
    cluster.setupPrimary({ serialization: 'advanced' });
    const failed = new Promise<never>((_resolve, reject) => (this.#startFailed = reject));
    for (let slot = 0; slot < this.#deps.count; slot++) this.#fork(slot);
    await Promise.race([this.#changed.until(() => this.#members.size === this.#deps.count && this.all((m) => m.ready)), failed]);
    this.#started = true;
  }

  all(test: (m: WorkerView) => boolean): boolean {
    return [...this.#members.values()].every((m) => test(this.#view(m)));
  }

  views(): WorkerView[] {
    return [...this.#members.values()].map((m) => this.#view(m));
  }

  #view(m: Member): WorkerView {
    return { id: m.worker.id, pid: m.worker.process.pid, version: m.version, ready: m.ready };
  }

  #send(m: Member, msg: ToWorker): void {
    if (m.worker.isConnected()) m.worker.send(msg);
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  #fork(slot: number): void {
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) }); // its recording files are its own (record/file-names.ts)
    const member: Member = { worker, slot, forkedAt: this.#now(), version: null, ready: false };
    this.#members.set(worker.id, member);
    worker.on('message', (raw: unknown) => {
      if (isOurs<FromWorker>(raw)) this.#onMessage(member, raw);
    });
    worker.on('exit', (code, signal) => this.#onExit(member, code, signal));
  }

  #onMessage(member: Member, m: FromWorker): void {
    switch (m.type) {
      case 'hello':
        if (this.#logLevel !== null) this.#send(member, { tag: TAG, type: 'log-level', level: this.#logLevel });
        this.#send(member, { tag: TAG, type: 'config', trigger: 'start', valid: this.#sending(this.#deps.current()), steps: this.#steps() });
        return;
      case 'ready':
        member.ready = true;
        member.version = m.version;
        this.port = m.port;
        this.#deps.logger.info({ msg: LOG.workerStarted, worker: member.worker.id, workerPid: member.worker.process.pid, version: m.version });
        this.#catchUp(member, m.version);
        break;
      case 'version':
        member.version = m.version;
        break;
      case 'halt':
        this.#deps.onHalt(m);
        for (const other of this.#members.values()) if (other !== member && other.ready) this.#send(other, { tag: TAG, type: 'halt', version: m.version, route: m.route, halted: m.halted });
        return;
      case 'answer':
        this.#answers.get(m.id)?.(m.value);
        return;
    }
    this.#changed.check();
  }

  #onExit(member: Member, code: number | null, signal: string | null): void {
    this.#members.delete(member.worker.id);
    this.#changed.check();
    if (this.#stopping) return;
    if (!this.#started) {
      this.#startFailed?.(new Error(`worker ${member.worker.id} exited while starting (code ${code}, signal ${signal}); see its log above`));
      return;
    }
    const policy = this.#deps.backoff ?? BACKOFF;
    const upMs = this.#now() - member.forkedAt;
    const lifetimes = remember(this.#lifetimes.get(member.slot) ?? [], upMs, policy);
    this.#lifetimes.set(member.slot, lifetimes);
    const restartInMs = nextDelay(lifetimes, policy);
    this.#deps.logger.error({ msg: LOG.workerDied, worker: member.worker.id, workerPid: member.worker.process.pid, code, signal, upMs, restartInMs });
    if (restartInMs === 0) return this.#fork(member.slot);
    const timer = setTimeout(() => {
      this.#refork.delete(timer);
      if (!this.#stopping) this.#fork(member.slot);
    }, restartInMs);
    this.#refork.add(timer);
  }

  /** A worker just ready may have missed what was sent while it started (a worker drops steps and
   *  halts until it serves, and a halt is relayed to ready workers only): it gets the current
   *  config when it runs another, else the current steps, then the primary's halts. */
  #catchUp(member: Member, version: string): void {
    const current = this.#deps.current();
    const steps = this.#steps();
    if (version !== current.version) this.#send(member, { tag: TAG, type: 'config', trigger: 'admin', valid: current, steps });
    else if (steps.length > 0) this.#send(member, { tag: TAG, type: 'canary-steps', steps });
    for (const h of this.#deps.halts?.() ?? []) this.#send(member, { tag: TAG, type: 'halt', version: h.version, route: h.route, halted: h.halted });
  }

  /** Sends a new config to every worker (a replacement still starting picks it up when ready). */
  broadcast(valid: ValidConfig, trigger: ReloadTrigger): void {
    const steps = this.#steps();
    this.#sending(valid);
    for (const m of this.#members.values()) this.#send(m, { tag: TAG, type: 'config', trigger, valid, steps });
  }

  #sending(valid: ValidConfig): ValidConfig {
    this.#sent.delete(valid.version); // (to the end of the map's order: the oldest go first)
    this.#sent.set(valid.version, ++this.#sends);
    if (this.#sent.size > 64) this.#sent.delete(this.#sent.keys().next().value!);
    return valid;
  }

  #steps(): readonly StepSnapshot[] {
    return this.#deps.steps?.() ?? [];
  }

  /** The progressive canaries' steps the primary decided, to every worker. */
  canarySteps(steps: readonly StepSnapshot[]): void {
    for (const m of this.#members.values()) this.#send(m, { tag: TAG, type: 'canary-steps', steps });
  }

  /** Every worker runs `version`, or one sent after it (a reload that overtook this one): true;
   *  false when `timeoutMs` passed first. */
  waitForVersion(version: string, timeoutMs: number): Promise<boolean> {
    const sent = this.#sent.get(version) ?? Infinity;
    return this.#changed.until(() => this.all((m) => m.ready && m.version !== null && (m.version === version || (this.#sent.get(m.version) ?? -1) > sent)), timeoutMs);
  }

  /** Asks every ready worker; the answers that came within `timeoutMs` (a worker dying meanwhile is left out).
   *  `route`: the route asked about (for 'mismatches'). */
  async ask<T>(what: AskWhat, timeoutMs: number, route?: string): Promise<T[]> {
    return (await this.askEach<T>(what, timeoutMs, route)).map((a) => a.value);
  }

  /** As ask(), each answer with the worker's (cluster) id. */
  async askEach<T>(what: AskWhat, timeoutMs: number, route?: string): Promise<{ worker: number; value: T }[]> {
    const asked = [...this.#members.values()].filter((m) => m.ready);
    const answers = asked.map(
      (m) =>
        new Promise<{ worker: number; value: T } | undefined>((resolve) => {
          const id = this.#nextAsk++;
          const gone = (): void => done(undefined);
          const timer = setTimeout(gone, timeoutMs);
          const done = (v: { worker: number; value: T } | undefined): void => {
            clearTimeout(timer);
            m.worker.off('exit', gone);
            this.#answers.delete(id);
            resolve(v);
          };
          this.#answers.set(id, (v) => done({ worker: m.worker.id, value: v as T }));
          m.worker.once('exit', gone);
          this.#send(m, { tag: TAG, type: 'ask', id, what, ...(route === undefined ? {} : { route }) });
        }),
    );
    return (await Promise.all(answers)).filter((v) => v !== undefined);
  }

  shadowReset(route: string | null): void {
    for (const m of this.#members.values()) this.#send(m, { tag: TAG, type: 'shadow-reset', route });
  }

  /** PUT /log-level: every worker's logger, now and (a replaced worker) when it says hello. */
  logLevel(level: string): void {
    this.#logLevel = level;
    for (const m of this.#members.values()) this.#send(m, { tag: TAG, type: 'log-level', level });
  }

  /** SIGTERM to every worker (each drains as a single process would); resolves when all exited,
   *  or after `timeoutMs`, when the ones left are killed. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    for (const t of this.#refork) clearTimeout(t);
    this.#refork.clear();
    for (const m of this.#members.values()) m.worker.process.kill('SIGTERM');
    const clean = await this.#changed.until(() => this.#members.size === 0, timeoutMs);
    if (!clean) {
      for (const m of this.#members.values()) m.worker.process.kill('SIGKILL');
      await this.#changed.until(() => this.#members.size === 0, 5000);
    }
  }
}
