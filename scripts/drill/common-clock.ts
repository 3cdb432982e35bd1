// One clock for the fault and canary drills: epoch milliseconds with sub-millisecond resolution,
// so that request send times, the kill, the restart, the flip and the proxy's log timestamps
// (Date.now() based, ISO with ms) can be put on one time line.
import { setTimeout as sleep } from 'node:timers/promises';

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Sleeps until the epoch ms `at` (returns at once if that has passed). */
export async function sleepUntil(at: number): Promise<void> {
  const wait = at - epochMs();
  if (wait > 0) await sleep(wait);
}
