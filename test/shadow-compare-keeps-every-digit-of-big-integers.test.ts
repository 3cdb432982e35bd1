// A 64-bit id that a port rounded (9007199254740993 sent as 9007199254740992, as a Node rewrite of
// a Python service would) is a mismatch, not a match: integers beyond 2^53 are compared by their
// digits, and a difference shows them. Fractions stay numbers (10.0 equals 10).
import { describe, expect, it } from 'vitest';
import { compareOptionsFrom, compareResponses } from '../src/shadow/diff.js';

const json = { 'content-type': 'application/json' };
const answer = (text: string) => ({ status: 200, headers: json, body: Buffer.from(text) });

describe('the shadow compare of JSON integers beyond 2^53', () => {
  it('finds a rounded id, and says both values digit for digit', () => {
    const r = compareResponses(
      answer('{"id":9007199254740993,"price":10.0,"ref":12345678901234567890,"ids":[18014398509481985]}'),
      answer('{"id":9007199254740992,"price":10,"ref":12345678901234567890,"ids":[18014398509481984]}'),
      compareOptionsFrom(undefined),
    );
    expect(r.result).toBe('mismatch');
    expect(r.differences.map((d) => d.path)).toEqual(['$.id', '$.ids[0]']);
    expect(JSON.parse(JSON.stringify(r.differences[0]))).toMatchObject({ kind: 'value', primary: '9007199254740993', shadow: '9007199254740992' });
  });

  it('matches the same digits, pairs them in unordered arrays, and takes a tolerance exactly', () => {
    const same = compareResponses(answer('{"ids":[9007199254740993,9007199254740995]}'), answer('{"ids":[9007199254740995, 9007199254740993]}'), compareOptionsFrom({ unorderedArrays: ['$.ids'] }));
    expect(same).toMatchObject({ result: 'match', differences: [] });
    const tolerated = compareResponses(answer('{"n":9007199254740993}'), answer('{"n":9007199254740992}'), compareOptionsFrom({ numericTolerance: 1 }));
    expect(tolerated.result).toBe('match');
    const notTolerated = compareResponses(answer('{"n":9007199254740995}'), answer('{"n":9007199254740992}'), compareOptionsFrom({ numericTolerance: 2 }));
    expect(notTolerated.differences.map((d) => d.path)).toEqual(['$.n']);
  });

  it('still reads JSON it cannot parse exactly (a key given twice) as JSON.parse does', () => {
    const r = compareResponses(answer('{"a":1,"a":2,"id":9007199254740993}'), answer('{"a":2,"id":9007199254740993}'), compareOptionsFrom(undefined));
    expect(r).toMatchObject({ result: 'match', body: 'json' });
  });
});
