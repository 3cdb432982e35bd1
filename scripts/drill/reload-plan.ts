// The drill's schedule: which write is valid (and where it sends /svc), which is invalid (and how),
// how each one replaces the file, and the pause after it. Deterministic for a given seed.
import { COLORS, INVALID_KINDS, WRITE_MODES, type Color, type InvalidKind, type WriteMode } from './reload-routes-file.js';
import { seededRandom } from '../lib/seeded-random.js';

export interface PlanOptions {
  readonly rewrites: number;
  /** Every Nth write is invalid (N >= 2, so that two invalid writes never follow each other). */
  readonly invalidEvery: number;
  readonly minGapMs: number;
  readonly maxGapMs: number;
  readonly seed: number;
  readonly initial: Color;
}

export interface PlannedWrite {
  /** 1-based. */
  readonly n: number;
  /** undefined: a valid write. */
  readonly invalid?: InvalidKind;
  /** The color /svc is served by before the write. */
  readonly before: Color;
  /** The color /svc must be served by once the write is handled (= before for an invalid one). */
  readonly after: Color;
  readonly mode: WriteMode;
  readonly gapMs: number;
}

// rename (leaves a plain file), in-place on that plain file, two ConfigMap swaps (the first
// re-links routes.yaml to ..data/routes.yaml, the second only swaps ..data), then in-place
// through the ..data link. 5 is prime to the usual invalidEvery, so invalid writes meet every mode.
const [IN_PLACE, RENAME, CONFIGMAP] = WRITE_MODES;
const MODE_CYCLE: readonly WriteMode[] = [RENAME, IN_PLACE, CONFIGMAP, CONFIGMAP, IN_PLACE];

export function other(c: Color): Color {
  return c === COLORS[0] ? COLORS[1] : COLORS[0];
}

export function planWrites(o: PlanOptions): PlannedWrite[] {
  if (!Number.isInteger(o.rewrites) || o.rewrites < 1) throw new Error(`rewrites must be an integer >= 1, got ${o.rewrites}`);
  if (!Number.isInteger(o.invalidEvery) || o.invalidEvery < 2) throw new Error(`invalidEvery must be an integer >= 2, got ${o.invalidEvery}`);
  if (!(o.minGapMs > 0 && o.maxGapMs >= o.minGapMs)) throw new Error(`need 0 < minGapMs <= maxGapMs, got ${o.minGapMs}..${o.maxGapMs}`);
  const random = seededRandom(o.seed);
  const plan: PlannedWrite[] = [];
  let live = o.initial;
  let invalids = 0;
  for (let n = 1; n <= o.rewrites; n++) {
    const mode = MODE_CYCLE[(n - 1) % MODE_CYCLE.length]!;
    const gapMs = Math.round(o.minGapMs + random() * (o.maxGapMs - o.minGapMs));
    if (n % o.invalidEvery === 0) {
      const invalid = INVALID_KINDS[invalids++ % INVALID_KINDS.length]!;
      plan.push({ n, invalid, before: live, after: live, mode, gapMs });
    } else {
      const after = other(live);
      plan.push({ n, before: live, after, mode, gapMs });
      live = after;
    }
  }
  return plan;
}
