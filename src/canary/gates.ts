// A progressive canary's figures over one step and the decision they lead to (pure). The figures
// are plain JSON and merge by adding (every worker counts its own; the primary merges them), so
// the decision over merged figures is the decision over all the requests.

import { rateAbove } from './rate-text.js';
import { emptyHistogram, mergeHistograms, observe, quantile, type Histogram } from '../shadow/histogram.js';

export interface CanaryGates {
  readonly maxErrorRate: number;
  readonly maxP99Ratio: number;
  readonly minRequests: number;
}

/** One side of a canary route over a step: requests, failed ones (5xx, proxy errors, fallbacks), latency. */
export interface SideStats {
  requests: number;
  errors: number;
  latency: Histogram;
}

export interface StepStats {
  canary: SideStats;
  primary: SideStats;
}

export const emptyStepStats = (): StepStats => ({
  canary: { requests: 0, errors: 0, latency: emptyHistogram() },
  primary: { requests: 0, errors: 0, latency: emptyHistogram() },
});

/** Adds one answer in place. */
export function countAnswer(s: StepStats, canary: boolean, failed: boolean, ms: number): void {
  const side = canary ? s.canary : s.primary;
  side.requests++;
  if (failed) side.errors++;
  observe(side.latency, ms);
}

const mergeSide = (a: SideStats, b: SideStats): SideStats => ({
  requests: a.requests + b.requests,
  errors: a.errors + b.errors,
  latency: mergeHistograms(a.latency, b.latency),
});

export function mergeStepStats(a: StepStats, b: StepStats): StepStats {
  return { canary: mergeSide(a.canary, b.canary), primary: mergeSide(a.primary, b.primary) };
}

/** What a gate check saw: the figures every log line and the status carry. */
export interface GateFigures {
  readonly requests: number;
  readonly errorRate: number | null;
  readonly p99Ms: number | null;
  readonly primaryRequests: number;
  readonly primaryP99Ms: number | null;
}

export interface StepDecision {
  /** advance: every gate held; hold: too few canary requests to judge (keep counting); halt: a gate failed. */
  readonly result: 'advance' | 'hold' | 'halt';
  readonly reason: string;
  readonly figures: GateFigures;
}

const round = (n: number | null, places: number): number | null => (n === null ? null : Number(n.toFixed(places)));

export function gateFigures(s: StepStats): GateFigures {
  const { canary, primary } = s;
  return {
    requests: canary.requests,
    errorRate: canary.requests === 0 ? null : round(canary.errors / canary.requests, 4),
    p99Ms: round(quantile(canary.latency, 0.99), 3),
    primaryRequests: primary.requests,
    primaryP99Ms: round(quantile(primary.latency, 0.99), 3),
  };
}

/** The gates over one step's figures. Without primary latency to compare with (no primary
 *  request in the step), the latency gate is not checked. */
export function decideStep(s: StepStats, gates: CanaryGates): StepDecision {
  const figures = gateFigures(s);
  const { requests, p99Ms, primaryP99Ms } = figures;
  if (requests < gates.minRequests) {
    return { result: 'hold', reason: `${requests} canary requests in the step, fewer than minRequests ${gates.minRequests}: holding`, figures };
  }
  const errorRate = s.canary.errors / requests;
  if (errorRate > gates.maxErrorRate) {
    return { result: 'halt', reason: `error rate ${rateAbove(errorRate, gates.maxErrorRate)} over ${requests} requests exceeds maxErrorRate ${gates.maxErrorRate}`, figures };
  }
  const p99 = quantile(s.canary.latency, 0.99);
  const primaryP99 = quantile(s.primary.latency, 0.99);
  if (p99 !== null && primaryP99 !== null && p99 > gates.maxP99Ratio * primaryP99) {
    return { result: 'halt', reason: `p99 ${p99Ms} ms exceeds maxP99Ratio ${gates.maxP99Ratio} x the primary's p99 ${primaryP99Ms} ms`, figures };
  }
  const latency = primaryP99 === null ? 'no primary requests to compare p99 with' : `p99 ${p99Ms} ms vs the primary's ${primaryP99Ms} ms`;
  return { result: 'advance', reason: `gates held: error rate ${errorRate.toFixed(3)} over ${requests} requests, ${latency}`, figures };
}
