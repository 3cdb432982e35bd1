// The proxy's one setting of V8's garbage collector, made when `serve` starts (never in the CLI's
// other commands, nor in a test's process).
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
// (Which literals were tenured is not known: V8 names them by address only.) The flag is read when
// V8 decides about a literal, so setting it before the first request is enough; Node 24 too.

import v8 from 'node:v8';

export function tuneCollector(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
