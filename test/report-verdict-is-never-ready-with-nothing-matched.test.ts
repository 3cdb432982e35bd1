// A verdict of "ready" needs something to have matched: `replay --fail-under 0` (its threshold
// is the gate's) against a candidate that never answered printed "ready: 0.0% match".
import { describe, expect, it } from 'vitest';
import { emptyReport } from '../src/shadow/report.js';
import { summarize } from '../src/shadow/summary.js';

describe('the shadow verdict', () => {
  it('is not ready when nothing matched, even at a threshold of 0', () => {
    const down = { ...emptyReport('/api', '2026-12-05T07:00:00.000Z'), mirrored: 18, shadowError: 18 };
    expect(summarize(down, { minCompared: 1, readyMatchRate: 0 })).toMatchObject({ verdict: 'not ready', verdictText: 'not ready: 0.0% match over 18 requests (nothing matched)' });
    const some = { ...down, shadowError: 17, match: 1 };
    expect(summarize(some, { minCompared: 1, readyMatchRate: 0 })).toMatchObject({ verdict: 'ready' });
  });
});
