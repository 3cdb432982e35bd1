// A recorded body that is valid UTF-8 but full of control bytes (a run of zeros, a binary format
// that happens to decode) was kept as `utf8` text, which JSON escapes at six bytes per byte: 4 MB
// of them took 255 ms of the event loop to write as a line (bounds audit), delaying every other
// request. Such a body is kept as base64; text (tabs and newlines included) stays utf8; both
// read back to the same bytes.

import { describe, expect, it } from 'vitest';
import { bodyField } from '../src/record/body-field.js';

const field = (kept: Buffer) => bodyField({ kept, bytes: kept.length, truncated: false }, null, 'application/octet-stream', undefined);
const bytesOf = (f: ReturnType<typeof field>): Buffer => Buffer.from(f!.data!, f!.encoding === 'base64' ? 'base64' : 'utf8');

describe('a recorded body', () => {
  it('of control bytes is base64, its line a third larger than the body, not six times', () => {
    const zeros = Buffer.alloc(64 * 1024, 0);
    const f = field(zeros);
    expect(f).toMatchObject({ encoding: 'base64', bytes: zeros.length, truncated: false });
    expect(bytesOf(f).equals(zeros)).toBe(true);
    expect(JSON.stringify(f).length).toBeLessThan(zeros.length * 1.4);
    expect(field(Buffer.from('ok\u0001'))).toMatchObject({ encoding: 'base64' });
  });

  it('of text, tabs, CR and LF included, stays utf8', () => {
    const text = Buffer.from('{"a": "é"}\r\n\tline two\n');
    expect(field(text)).toEqual({ encoding: 'utf8', data: text.toString('utf8'), bytes: text.length, truncated: false });
  });
});
