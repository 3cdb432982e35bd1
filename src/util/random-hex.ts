// Random ids cut from a string of random hex: 16 KiB of random bytes (refilled every 400 to 1,000
// requests: a request id takes 32 characters, tracing's ids 48 more) turned to hex at once, each
// id then slices of it (V8 makes a slice of 13 characters or more a view: no copy, no call into
// C++). Building ids a byte at a time from Math.random, as OpenTelemetry's RandomIdGenerator
// does, cost about a microsecond per request; a Buffer.toString('hex') per id about 0.15 us; and
// crypto.randomUUID() (a string concatenation per byte) ~0.9% of the proxy's main thread. The
// refill is code that runs too rarely to be optimised (measured in the proxy: ~50 us each at
// 4 KiB), so it is made rare. One pool serves the request ids and the trace and span ids.

import { randomBytes } from 'node:crypto';

const POOL_BYTES = 16_384;
let pool = '';
let at = 0;
const ZEROS = { 16: '0'.repeat(32), 8: '0'.repeat(16) } as const;

/** `chars` random lower-case hex characters. */
function take(chars: number): string {
  if (at + chars > pool.length) {
    pool = randomBytes(POOL_BYTES).toString('hex');
    at = 0;
  }
  return pool.slice(at, (at += chars));
}

/** 16 or 8 random bytes as lower-case hex, never all zero (W3C trace context: an invalid id). */
export function randomId(bytes: 16 | 8): string {
  const id = take(bytes * 2);
  // (Compared only when it starts with 0: comparing two strings' contents is a call into V8's runtime.)
  return id.charCodeAt(0) === 48 && id === ZEROS[bytes] ? randomId(bytes) : id;
}

/** The variant nibble of a version 4 UUID (10xx): one of 8, 9, a, b, by two random bits. */
const VARIANT = ['8', '9', 'a', 'b'];

/** A random (version 4) UUID, like crypto.randomUUID(): 122 random bits, lower-case. */
export function randomUuid(): string {
  const h = take(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${VARIANT[h.charCodeAt(16) & 3]!}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
