// A worker process (node:cluster): waits for the primary's validated config, serves the public
// port with it (the same startStrangler as a single process, minus the file, the watcher and the
// admin port), and answers the primary's messages: a new config (it answers with the version it
// runs), a canary halted elsewhere, a progressive canary's step (the primary decides them), and
// the admin's questions (shadow reports, metrics, a progressive canary's figures, a route's
// mismatch bodies). Nothing here runs per request: a request never waits for IPC.

import { startStrangler, type Strangler } from '../bootstrap.js';
import { setLogLevel, settleDeferredLines, type Logger } from '../observability/logger.js';
import type { ValidConfig } from '../routing/source.js';
import type { ReloadTrigger } from '../routing/reloader.js';
import { LOG } from '../observability/log-messages.js';
import { isOurs, TAG, workerSlot, type FromWorker, type ToWorker } from './messages.js';
import { applyStepSnapshots, stepFigures, type StepSnapshot } from '../routing/canary-steps.js';

export interface WorkerOptions {
  readonly configPath: string;
  readonly logger: Logger;
  readonly port?: number;
  readonly host?: string;
  readonly env: NodeJS.ProcessEnv;
}

function send(m: FromWorker): void {
  if (process.connected) process.send?.(m, undefined, undefined, sendFailed);
}

/** A message the primary could not take (it died: EPIPE) is dropped. Without a callback, node
 *  emits the failure as an unhandled 'error' and the worker crashed with a stack trace; its
 *  'disconnect' ends it gracefully instead (workers/start.ts). */
function sendFailed(): void {}

/** Starts serving once the primary's first config arrives; resolves with the running proxy. */
export function runWorker(opts: WorkerOptions): Promise<Strangler> {
  let proxy: Strangler | undefined;
  let pending: { valid: ValidConfig; trigger: ReloadTrigger; steps: readonly StepSnapshot[] } | null = null;

  const apply = (p: Strangler, valid: ValidConfig, trigger: ReloadTrigger, steps: readonly StepSnapshot[]): void => {
    const outcome = p.reloader.applyValid(valid, trigger);
    onSteps(p, steps);
    const error = outcome.result === 'error' ? outcome.message : undefined;
    send({ tag: TAG, type: 'version', version: p.store.current.version, ...(error === undefined ? {} : { error }) });
  };

  /** The primary decided the progressive canaries' steps: this worker runs the same. */
  const onSteps = (p: Strangler, steps: readonly StepSnapshot[]): void => {
    for (const { route, change, snapshot } of applyStepSnapshots(p.store.current, steps)) {
      // (the primary logged the step with its figures: here, for debugging, that this worker runs it)
      if (change === 'step') opts.logger.debug({ msg: LOG.workerCanaryStep, route: route.label, percent: route.progress.percent, step: snapshot.step });
      if (change !== 'halt') continue;
      opts.logger.warn({ msg: LOG.workerCanaryHalt, route: route.label, ...snapshot.halted });
    }
  };

  const onHalt = (p: Strangler, m: Extract<ToWorker, { type: 'halt' }>): void => {
    const table = p.store.current;
    if (table.version !== m.version) return; // a config change starts the route's canary afresh anyway
    for (const r of table.routes) {
      if (r.label !== m.route || r.state.canaryHalt === null) continue;
      if (!r.state.canaryHalt.haltFrom(m.halted)) continue;
      opts.logger.warn({ msg: LOG.workerCanaryHalt, route: r.label, ...m.halted });
    }
  };

  return new Promise<Strangler>((resolve, reject) => {
    process.on('message', (raw: unknown) => {
      if (!isOurs<ToWorker>(raw)) return;
      const m = raw;
      if (m.type === 'config') {
        const steps = m.steps ?? [];
        if (proxy === undefined) {
          if (pending === null && m.trigger === 'start') void start(m.valid, steps);
          else pending = { valid: m.valid, trigger: m.trigger === 'start' ? 'admin' : m.trigger, steps };
        } else apply(proxy, m.valid, m.trigger === 'start' ? 'admin' : m.trigger, steps);
        return;
      }
      if (m.type === 'log-level') {
        setLogLevel(opts.logger, m.level); // PUT /log-level on the primary's admin port
        return;
      }
      if (proxy === undefined) return;
      if (m.type === 'halt') onHalt(proxy, m);
      else if (m.type === 'canary-steps') onSteps(proxy, m.steps);
      else if (m.type === 'shadow-reset') proxy.shadow.reset(m.route ?? undefined);
      else if (m.type === 'ask') void answer(proxy, m);
    });

    send({ tag: TAG, type: 'hello' }); // listening now: the primary may send the config

    let starting = false;
    const start = async (valid: ValidConfig, steps: readonly StepSnapshot[]): Promise<void> => {
      if (starting) return;
      starting = true;
      try {
        const p = await startStrangler({
          configPath: opts.configPath, logger: opts.logger, env: opts.env, processMetrics: true, initial: valid, admin: false, decideCanarySteps: false,
          ...(opts.port === undefined ? {} : { port: opts.port }),
          ...(opts.host === undefined ? {} : { host: opts.host }),
          record: { slot: workerSlot(opts.env) },
          onCanaryHalt: (route, halted) => send({ tag: TAG, type: 'halt', version: proxy?.store.current.version ?? valid.version, route, halted }),
        });
        proxy = p;
        onSteps(p, steps);
        send({ tag: TAG, type: 'ready', version: p.store.current.version, port: p.port });
        if (pending !== null) apply(p, pending.valid, pending.trigger, pending.steps);
        pending = null;
        resolve(p);
      } catch (err) {
        reject(err);
      }
    };
  });
}

async function answer(p: Strangler, m: Extract<ToWorker, { type: 'ask' }>): Promise<void> {
  settleDeferredLines(); // (the requests whose access lines wait to be made are counted first)
  const value =
    m.what === 'shadow' ? { reports: p.shadow.reports(), shadowed: p.shadow.shadowed() }
    : m.what === 'status' ? p.status.snapshot()
    : m.what === 'canary' ? stepFigures(p.store.current)
    : m.what === 'mismatches' ? p.shadow.bodies.list(m.route ?? '')
    : await p.metrics.registry.getMetricsAsJSON();
  send({ tag: TAG, type: 'answer', id: m.id, value });
}
