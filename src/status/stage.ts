// A route's stage, by the contract's rules, in order: a canary route is `canary N%` whatever else
// it has; a route answered by an upstream other than the legacy one is `cut over` (even when it
// shadows to the legacy one); a legacy-answered route with a shadow is `shadowing`; else `legacy`.
// Without a legacy upstream (none named `legacy`, no server.legacyUpstream), no route is legacy:
// every route not in canary is `cut over`. Pure.

import type { Stage } from './types.js';

export interface StageInput {
  readonly upstream: string;
  readonly shadow: string | null;
  readonly canary: { readonly percent: number } | null;
}

export function stageOf(r: StageInput, legacy: string | null): { stage: Stage; stageText: string } {
  if (r.canary !== null) return { stage: 'canary', stageText: `canary ${r.canary.percent}%` };
  if (r.upstream !== legacy) return { stage: 'cut over', stageText: 'cut over' };
  if (r.shadow !== null) return { stage: 'shadowing', stageText: 'shadowing' };
  return { stage: 'legacy', stageText: 'legacy' };
}
