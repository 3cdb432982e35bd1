// A kept body clipped at 64 KiB can end inside a multi-byte character. Its decoding must not leave
// those bytes behind for the next body decoded (the other side of the same mismatch, or another
// mismatch): each side is decoded on its own.

import { describe, expect, it } from 'vitest';
import { KEPT_BODY_MAX_BYTES, MismatchBodies } from '../src/shadow/bodies.js';
import type { Captured } from '../src/shadow/diff.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';

const text = (body: Buffer | string): Captured => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(body) });
const mismatch = (i: number): ShadowEvent => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(), route: '/r', result: 'mismatch', method: 'GET', path: `/r/${i}`,
  primaryStatus: 200, shadowStatus: 200, differences: [],
});

describe('decoding the kept bodies', () => {
  it('a body clipped inside a character does not spoil the next one', () => {
    const bodies = new MismatchBodies();
    // The cut falls after the first byte of an 'é' (two bytes).
    const clippedInside = Buffer.concat([Buffer.alloc(KEPT_BODY_MAX_BYTES - 1, 'a'), Buffer.from('éééé')]);
    bodies.keep(mismatch(1), 'bytes', text(clippedInside), text('plain shadow text'));
    bodies.keep(mismatch(2), 'bytes', text(clippedInside), text(Buffer.from([0xa9, 0x41])));
    const [second, first] = bodies.list('/r');
    expect(first!.primary).toMatchObject({ truncated: true, binary: false, body: 'a'.repeat(KEPT_BODY_MAX_BYTES - 1) });
    expect(first!.shadow).toMatchObject({ truncated: false, binary: false, body: 'plain shadow text' });
    // Listing again decodes again, with nothing left over from the list before.
    expect(bodies.list('/r')[1]!.shadow.body).toBe('plain shadow text');
    expect(second!.primary.body).toBe('a'.repeat(KEPT_BODY_MAX_BYTES - 1));
    // A lone continuation byte is not text: it must not join the byte left over from the clip ('éA').
    expect(second!.shadow).toMatchObject({ binary: true, body: '' });
  });
});
