// The V8 settings the proxy makes for itself when `strangler serve` starts (never in the CLI's
// other commands, nor in a test's process). Each was measured in paired runs as the bench's paired
// section makes them (two proxies loaded at once on one core, 3,000 req/s each; an A/A pair reads
// within ~1%), in both orders.
//
// Allocation-site pretenuring off. V8 watches the objects each literal in the code creates; a
// literal whose objects mostly survive a young-generation collection is switched to allocate in
// the old generation from then on (--trace-pretenuring shows such "=> tenure" decisions under
// load). A proxy has objects that outlive a young collection now and then (kept until a
// connection's next request or response, or in flight during a collection), and once a literal
// allocates old, each of its dead objects still holds the young objects it points to: they outlive
// every young collection until the next full one, since the collector cannot know an old object is
// dead. Measured at 3,000 req/s (--trace-gc-nvp): with it on, about 1 MB promoted per young
// collection, each taking 2-3 ms, a full collection every few seconds, though a heap snapshot
// under the same load holds none of it; off, 3-50 KB promoted and about 1 ms per collection, and
// about 11% less CPU per request (paired runs against the bare forwarder: 1.37x instead of 1.51x).
// (Which literals were tenured is not known: V8 names them by address only.)
//
// A larger inlining budget. One request passes through node:http, undici and the proxy's own small
// functions; TurboFan stops inlining into a function once the callees it has inlined add up to
// --max-inlined-bytecode-size-cumulative (920 bytes of bytecode by default), so most of the request
// path stays calls. At 2x that (1,840): 2.2% less CPU per request at 3,000 req/s. 4x read 3.7%
// there, but under closed-loop load (wrk, 64 connections, saturated) it cost 1-5% of the req/s and
// raised p99 from 7-14 ms to 14-85 ms (seven runs, nine at the default); 2x kept both (req/s 20.4k
// and 21.7k against 19.9k and 20.0k in the same sitting, p99 10 ms against 8-10 ms). 8x was worse
// than 4x at 3,000 req/s. The bare forwarder gains nothing from a larger budget (1.00x, both
// orders): the gain is in the proxy's own calls.
//
// No collector threads when the process has one CPU to run on (its affinity, as
// os.availableParallelism() reads it: `taskset`, a cpuset). V8 hands parts of each young
// collection to helper threads; on a single CPU they only take turns with the main thread, so
// each collection costs the switching on top: 1.0-1.4% less CPU per request without them. With
// more CPUs they shorten the pauses and stay.
//
// All of these are read when V8 next decides (a literal's allocation, a function's optimisation,
// a collection), so setting them before the first request is enough; Node 24's V8 knows them too
// (a test checks every name against the running Node's `--v8-options`).

import v8 from 'node:v8';
import { availableParallelism } from 'node:os';

/** The budget TurboFan inlines into one function, in bytes of bytecode (V8's default: 920). */
export const INLINING_BUDGET = 1840;

/** The young generation's collection without helper threads (--single-threaded-gc would stop
 *  every collector thread, but V8 applies what a flag implies only at start-up, and the concurrent
 *  marker switched off once V8 runs fails V8's own check: an abort within seconds of start-up, in
 *  its incremental marking task).
 *  The scavenger reads this one at each collection. */
const ONE_THREAD_SCAVENGE = '--no-parallel-scavenge';

/** The flags for a process that may run on `cpus` CPUs. Pure. */
export function v8FlagsFor(cpus: number): string[] {
  const flags = ['--no-allocation-site-pretenuring', `--max-inlined-bytecode-size-cumulative=${INLINING_BUDGET}`];
  if (cpus <= 1) flags.push(ONE_THREAD_SCAVENGE);
  return flags;
}

export function tuneV8(cpus = availableParallelism()): void {
  for (const flag of v8FlagsFor(cpus)) v8.setFlagsFromString(flag);
}
