// The primary decides every worker's progressive canary steps: at each check it asks the workers
// for their figures over the current step (bounded; a worker that does not answer in time is
// left out of that check), merges the ones at the same step (histograms merge by adding), decides
// with the same stepper a single process runs, and tells every worker the result. A worker
// started later gets the steps with its config, and again once it is ready (group.ts).

import { mergeStepStats, type StepStats } from '../canary/gates.js';
import { CANARY_TICK_MS, CanaryStepper, intervalTicker } from '../canary/stepper.js';
import type { Logger } from '../observability/logger.js';
import { stepSnapshots, steppedRoutes, type StepFigures } from '../routing/canary-steps.js';
import type { TableStore } from '../routing/store.js';
import type { WorkerGroup } from './group.js';

const ASK_MS = 5_000;

/** Every worker's figures for the due routes, merged per route over the answers at its current step. */
export function mergeFigures(answers: readonly (readonly StepFigures[])[], due: readonly { id: string; progress: { step: number } }[]): Map<string, StepStats> {
  const out = new Map<string, StepStats>();
  for (const r of due) {
    let merged: StepStats | null = null;
    for (const figures of answers) {
      const f = figures.find((x) => x.id === r.id && x.step === r.progress.step);
      if (f !== undefined) merged = merged === null ? f.stats : mergeStepStats(merged, f.stats);
    }
    if (merged !== null) out.set(r.id, merged);
  }
  return out;
}

/** Starts the primary's checks; returns their stop. */
export function startGroupStepper(store: TableStore, group: WorkerGroup, logger: Logger): () => void {
  const stepper = new CanaryStepper({
    routes: () => steppedRoutes(store.current),
    clock: { now: Date.now },
    logger,
    gather: async (due) => mergeFigures(await group.ask<StepFigures[]>('canary', ASK_MS), due),
    changed: () => group.canarySteps(stepSnapshots(store.current)),
  });
  return intervalTicker(CANARY_TICK_MS)(() => stepper.tick());
}
