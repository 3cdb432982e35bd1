// What the primary and its workers say to each other over the cluster IPC channel (advanced
// serialization: the validated config keeps its Maps). Nothing here is on the request path:
// a config, a halt, a progressive canary's step, or an admin question, each a message of its own.

import type { HaltState } from '../canary/halt.js';
import type { ReloadTrigger } from '../routing/reloader.js';
import type { StepFigures, StepSnapshot } from '../routing/canary-steps.js';
import type { ValidConfig } from '../routing/source.js';
import type { ShadowReport } from '../shadow/report.js';
import type { ExpectedRoute } from '../shadow/merge.js';
import type { KeptMismatch } from '../shadow/bodies.js';
import type { StatusCells } from '../status/cells.js';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** Every message carries this tag, so that prom-client's own cluster messages are told apart. */
export const TAG = 'strangler';

export type ToWorker =
  // `steps`: the progressive canaries' steps the primary decided (a worker starting or reloading runs them).
  | { readonly tag: typeof TAG; readonly type: 'config'; readonly trigger: ReloadTrigger | 'start'; readonly valid: ValidConfig; readonly steps?: readonly StepSnapshot[] }
  | { readonly tag: typeof TAG; readonly type: 'halt'; readonly version: string; readonly route: string; readonly halted: HaltState }
  | { readonly tag: typeof TAG; readonly type: 'canary-steps'; readonly steps: readonly StepSnapshot[] }
  // `route`: the route asked about ('mismatches' only).
  | { readonly tag: typeof TAG; readonly type: 'ask'; readonly id: number; readonly what: AskWhat; readonly route?: string }
  | { readonly tag: typeof TAG; readonly type: 'shadow-reset'; readonly route: string | null }
  | { readonly tag: typeof TAG; readonly type: 'log-level'; readonly level: string };

/** The primary's questions to the workers; 'status': the migration status's cells (status/cells.ts);
 *  'canary': the progressive canaries' figures over their current step; 'mismatches': the bodies
 *  of one route's last mismatches (bounded: KEPT_PER_ROUTE of them, each side's body the text of
 *  at most KEPT_BODY_MAX_BYTES, shadow/bodies.ts: an answer of at most ~2.5 MiB of text). */
export type AskWhat = 'shadow' | 'metrics' | 'status' | 'canary' | 'mismatches';

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
  | { readonly tag: typeof TAG; readonly type: 'answer'; readonly id: number; readonly value: ShadowAnswer | MetricsAnswer | StatusCells | StepFigures[] | KeptMismatch[] };

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
