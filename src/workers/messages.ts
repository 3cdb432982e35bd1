// What the primary and its workers say to each other over the cluster IPC channel (advanced
// serialization: the validated config keeps its Maps). Nothing here is on the request path:
// a config, a halt, or an admin question, each a message of its own.

import type { HaltState } from '../canary/halt.js';
import type { ReloadTrigger } from '../routing/reloader.js';
import type { ValidConfig } from '../routing/source.js';
import type { ShadowReport } from '../shadow/report.js';
import type { ExpectedRoute } from '../shadow/merge.js';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** Every message carries this tag, so that prom-client's own cluster messages are told apart. */
export const TAG = 'strangler';

export type ToWorker =
  | { readonly tag: typeof TAG; readonly type: 'config'; readonly trigger: ReloadTrigger | 'start'; readonly valid: ValidConfig }
  | { readonly tag: typeof TAG; readonly type: 'halt'; readonly version: string; readonly route: string; readonly halted: HaltState }
  | { readonly tag: typeof TAG; readonly type: 'ask'; readonly id: number; readonly what: 'shadow' | 'metrics' }
  | { readonly tag: typeof TAG; readonly type: 'shadow-reset'; readonly route: string | null }
  | { readonly tag: typeof TAG; readonly type: 'log-level'; readonly level: string };

export interface ShadowAnswer {
  readonly reports: ShadowReport[];
  readonly shadowed: ExpectedRoute[];
}

export type MetricsAnswer = MetricObjectWithValues<MetricValue<string>>[];

export type FromWorker =
  | { readonly tag: typeof TAG; readonly type: 'hello' }
  | { readonly tag: typeof TAG; readonly type: 'version'; readonly version: string; readonly error?: string }
  | { readonly tag: typeof TAG; readonly type: 'ready'; readonly version: string; readonly port: number }
  | { readonly tag: typeof TAG; readonly type: 'halt'; readonly version: string; readonly route: string; readonly halted: HaltState }
  | { readonly tag: typeof TAG; readonly type: 'answer'; readonly id: number; readonly value: ShadowAnswer | MetricsAnswer };

export function isOurs<T extends { tag: string }>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && (m as { tag?: unknown }).tag === TAG;
}

/** The environment variable a worker is forked with: its slot (0-based, kept across restarts). */
export const WORKER_SLOT_ENV = 'STRANGLER_WORKER_SLOT';

/** A worker's slot from its environment (null: not a worker, or not said). */
export function workerSlot(env: NodeJS.ProcessEnv): number | null {
  const v = env[WORKER_SLOT_ENV];
  return v !== undefined && /^[0-9]{1,4}$/.test(v) ? Number(v) : null;
}
