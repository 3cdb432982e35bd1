// The forward authenticator's cache and single flight, on their own: expiry by the injected
// clock, the bound (least recently used dropped first), and callers that leave a shared flight.

import { describe, expect, it } from 'vitest';
import { AnswerCache, Flights } from '../src/identity/answer-cache.js';
import { testClock } from './helpers/servers.js';

describe('AnswerCache', () => {
  it('keeps a value for its ttl by the clock, not a millisecond longer', () => {
    const clock = testClock();
    const cache = new AnswerCache<string>(10, clock);
    cache.set('a', 'A', 1_000);
    clock.advance(999);
    expect(cache.get('a')).toBe('A');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps nothing with ttl 0', () => {
    const cache = new AnswerCache<string>(10, testClock());
    cache.set('a', 'A', 0);
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops the least recently used entry past its bound', () => {
    const cache = new AnswerCache<string>(2, testClock());
    cache.set('a', 'A', 1_000);
    cache.set('b', 'B', 1_000);
    expect(cache.get('a')).toBe('A'); // a is now the most recent
    cache.set('c', 'C', 1_000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used entries past its byte budget (keys and values counted)', () => {
    // Budget 100 bytes; each entry: a 1-char key + a 30-byte value = 31.
    const cache = new AnswerCache<string>(1_000, testClock(), 100, (v) => v.length);
    for (const k of ['a', 'b', 'c']) cache.set(k, k.repeat(30), 1_000);
    expect(cache.bytes).toBe(93);
    expect(cache.get('a')).toBe('a'.repeat(30)); // a is now the most recent
    cache.set('d', 'd'.repeat(30), 1_000);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')].every((v) => v !== undefined)).toBe(true);
    expect(cache.bytes).toBe(93);
    // Replacing a key counts only its new value; one entry over the whole budget is not kept.
    cache.set('a', 'x', 1_000);
    expect(cache.bytes).toBe(64);
    cache.set('e', 'e'.repeat(100), 1_000);
    expect(cache.get('e')).toBeUndefined();
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBe(64);
    cache.clear();
    expect(cache.bytes).toBe(0);
  });
});

describe('Flights', () => {
  const deferred = () => {
    let resolve!: (v: string) => void;
    const promise = new Promise<string>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('runs the work once for concurrent callers of one key', async () => {
    const flights = new Flights<string>();
    const d = deferred();
    let starts = 0;
    const start = () => {
      starts++;
      return d.promise;
    };
    const calls = [1, 2, 3].map(() => flights.run('k', start, new AbortController().signal, () => 'left'));
    const other = flights.run('other', () => Promise.resolve('O'), new AbortController().signal, () => 'left');
    d.resolve('V');
    expect(await Promise.all(calls)).toEqual(['V', 'V', 'V']);
    expect(await other).toBe('O');
    expect(starts).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('lets a caller leave on its own signal, and aborts the work when the last one has left', async () => {
    const flights = new Flights<string>();
    let workSignal!: AbortSignal;
    const d = deferred();
    const a = new AbortController();
    const b = new AbortController();
    const pa = flights.run('k', (s) => ((workSignal = s), d.promise), a.signal, () => 'left');
    const pb = flights.run('k', () => Promise.resolve('never'), b.signal, () => 'left');
    a.abort();
    expect(await pa).toBe('left');
    expect(workSignal.aborted).toBe(false);
    b.abort();
    expect(await pb).toBe('left');
    expect(workSignal.aborted).toBe(true);
    // A new caller starts afresh rather than joining the abandoned flight.
    expect(await flights.run('k', () => Promise.resolve('fresh'), new AbortController().signal, () => 'left')).toBe('fresh');
    d.resolve('late');
  });

  it('answers a caller whose signal already aborted without starting anything', async () => {
    const flights = new Flights<string>();
    const a = new AbortController();
    a.abort();
    let started = false;
    expect(await flights.run('k', () => ((started = true), Promise.resolve('V')), a.signal, () => 'left')).toBe('left');
    expect(started).toBe(false);
  });
});
