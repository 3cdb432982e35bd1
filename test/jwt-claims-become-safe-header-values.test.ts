// What a claim may become as a request header: never a value that could split a header line or
// carry bytes an upstream would misread.
import { describe, expect, it } from 'vitest';
import { claimHeaders, claimHeaderValue } from '../src/identity/claim-headers.js';

describe('claimHeaderValue', () => {
  it('keeps strings, writes numbers and booleans as text and joins arrays of strings', () => {
    expect(claimHeaderValue('alice')).toBe('alice');
    expect(claimHeaderValue('a\tb')).toBe('a\tb');
    expect(claimHeaderValue(42)).toBe('42');
    expect(claimHeaderValue(false)).toBe('false');
    expect(claimHeaderValue(['a', 'b', 'c'])).toBe('a, b, c');
  });

  it('skips other types', () => {
    for (const v of [null, undefined, { a: 1 }, ['a', 1], Number.NaN, Infinity]) expect(claimHeaderValue(v)).toBeNull();
  });

  it('skips a value with a control character', () => {
    for (const v of ['a\rb', 'a\nb', 'a\0b', 'a\x1bb', 'a\x7fb', ['ok', 'x\ny']]) expect(claimHeaderValue(v)).toBeNull();
  });

  it('percent-encodes a value with non-ASCII or % whole, as UTF-8, and skips a lone surrogate', () => {
    expect(claimHeaderValue('Zoë Ünal')).toBe('Zo%C3%AB%20%C3%9Cnal');
    expect(claimHeaderValue('100% 😀')).toBe('100%25%20%F0%9F%98%80');
    expect(claimHeaderValue('100%')).toBe('100%25');
    expect(claimHeaderValue(['a b', 'é'])).toBe('a%20b%2C%20%C3%A9');
    expect(claimHeaderValue('a\ud800b')).toBeNull();
  });

  it('never gives an encoded value and a raw one the same header value', () => {
    expect(claimHeaderValue('é')).toBe('%C3%A9');
    expect(claimHeaderValue('%C3%A9')).toBe('%25C3%25A9');
    expect(claimHeaderValue('%C3%A9')).not.toBe(claimHeaderValue('é'));
  });

  it('gives the pairs of the claims present', () => {
    const pairs = [['sub', 'x-user-id'], ['email', 'x-user-email'], ['toString', 'x-proto']] as const;
    expect(claimHeaders({ sub: 'u1' }, pairs)).toEqual([['x-user-id', 'u1']]);
  });
});
