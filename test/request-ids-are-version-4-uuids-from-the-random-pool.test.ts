// A request without a sane X-Request-Id gets a version 4 UUID, as crypto.randomUUID() makes: cut
// from the same pool of random hex as the trace ids (src/util/random-hex.ts), never repeating
// across refills of the pool.

import { describe, expect, it } from 'vitest';
import { newRequestId } from '../src/forward/headers.js';
import { randomId } from '../src/util/random-hex.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are version 4 UUIDs, none repeated across several refills of the pool shared with trace ids', () => {
    // 2,000 UUIDs and 2,000 trace ids (96,000 hex characters): the 32,768 of the pool, refilled twice.
    const ids = Array.from({ length: 2000 }, () => [newRequestId(), randomId(16)]).flat();
    const uuids = ids.filter((_id, i) => i % 2 === 0);
    for (const id of uuids) expect(id).toMatch(V4);
    expect(new Set(ids).size).toBe(ids.length);
    // The variant nibble takes each of its four values (2,000 draws: missing one has odds of ~1e-250).
    expect(new Set(uuids.map((id) => id[19])).size).toBe(4);
  });
});
