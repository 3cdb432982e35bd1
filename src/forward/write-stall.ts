// A response the client stopped reading: its write returned false, and the relay waits for
// 'drain'. Bounded by idleTimeoutMs from that moment, exactly: the socket's own timer (which also
// bounds it) lets one more period pass when the bytes queued have changed since its last write
// (Node counts that as progress), so alone it closed such a client after up to twice the bound.
// A timer only while a response waits on a slow client: none on the fast path.

import type { Writable } from 'node:stream';

/** What is told when the client did not drain within the bound. */
export interface Stalled {
  idle(): void;
}

function onStall(s: Stalled): void {
  s.idle();
}

/** Calls `resume` on the response's next 'drain'; `stalled.idle()` if none comes within `ms` (0: no bound). */
export function resumeOnDrain(res: Writable, ms: number, resume: () => void, stalled: Stalled): void {
  if (ms <= 0) {
    res.once('drain', resume);
    return;
  }
  const timer = setTimeout(onStall, ms, stalled);
  timer.unref(); // (a response closed meanwhile: the call finds its exchange over)
  res.once('drain', () => {
    clearTimeout(timer);
    resume();
  });
}
