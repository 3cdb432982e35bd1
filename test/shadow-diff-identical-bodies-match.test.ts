import { describe, expect, it } from 'vitest';
import { compareResponses, compareOptionsFrom } from '../src/shadow/diff.js';

const json = { 'content-type': 'application/json' };

describe('identical bodies', () => {
  it('match at once (a healthy shadow skips the JSON walk), still reporting status and header differences', () => {
    const body = Buffer.from('{"a":1,"items":[3,1,2]}');
    const opts = compareOptionsFrom({ ignore: ['$.a'], unorderedArrays: ['$.items'] });
    expect(compareResponses({ status: 200, headers: json, body }, { status: 200, headers: json, body: Buffer.from(body) }, opts)).toMatchObject({
      result: 'match', differences: [], body: 'json',
    });
    const differentStatus = compareResponses({ status: 200, headers: json, body }, { status: 201, headers: json, body }, opts);
    expect(differentStatus.result).toBe('mismatch');
    expect(differentStatus.differences.map((d) => d.path)).toEqual(['status']);
  });

  it('compares as bytes when the bodies are not declared JSON', () => {
    const body = Buffer.from('hello');
    expect(compareResponses({ status: 200, headers: {}, body }, { status: 200, headers: {}, body }, compareOptionsFrom(undefined))).toMatchObject({
      result: 'match', body: 'bytes',
    });
  });
});
