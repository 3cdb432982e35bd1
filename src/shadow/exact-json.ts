// JSON text parsed so that an integer beyond 2^53 keeps its digits. JSON.parse reads every number
// as a double: 9007199254740993 and 9007199254740992 (64-bit ids from a Python, Java or Go
// service) both become 9007199254740992 and compared as equal, so a port that rounded its ids
// (a Node rewrite, say) would pass its shadow compare. Such an integer is an ExactInteger here.
// Text without a run of 16 digits cannot hold one and goes to JSON.parse as before; other text
// to lossless-json's parser, with JSON.parse as the fallback for what it refuses and JSON.parse
// takes (a key given twice). Fractions stay doubles: 10.0 and 10 are equal. Pure.

import { parse as parseLossless } from 'lossless-json';

/** An integer that a double cannot hold, by its digits (as the upstream wrote them). In a
 *  difference it prints as those digits, a string (JSON has no other way on Node 20). */
export class ExactInteger {
  constructor(readonly digits: string) {}

  toJSON(): string {
    return this.digits;
  }
}

const INTEGER = /^-?\d+$/;
const LONG_DIGITS = /\d{16}/;

function number(text: string): number | ExactInteger {
  const n = Number(text);
  return INTEGER.test(text) && !Number.isSafeInteger(n) ? new ExactInteger(text) : n;
}

/** What JSON.parse read of a text the exact parser refused (its long integers rounded). */
export class RoundedJson {
  constructor(readonly value: unknown) {}
}

/** JSON.parse, but integers beyond 2^53 as ExactIntegers; a RoundedJson when only JSON.parse
 *  could read it (the caller then reads the other side that way too). Throws as JSON.parse does. */
export function parseExactJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  try {
    return parseLossless(text, undefined, number);
  } catch {
    return new RoundedJson(JSON.parse(text));
  }
}

function asBigInt(v: number | ExactInteger): bigint | null {
  if (typeof v !== 'number') return BigInt(v.digits);
  return Number.isInteger(v) ? BigInt(v) : null;
}

/** |a - b| (as a double) when one of them is an ExactInteger and both are integers, else null. */
export function exactGap(a: number | ExactInteger, b: number | ExactInteger): number | null {
  if (typeof a === 'number' && typeof b === 'number') return null;
  const x = asBigInt(a);
  const y = asBigInt(b);
  return x === null || y === null ? null : Number(x > y ? x - y : y - x);
}

/** The number as a double (for a tolerance, or an order). */
export function approximately(v: number | ExactInteger): number {
  return typeof v === 'number' ? v : Number(v.digits);
}

export type Parsed = { readonly value: unknown } | null;

function parseWith(text: string | null, parse: (text: string) => unknown): Parsed {
  if (text === null) return null;
  try {
    return { value: parse(text) };
  } catch {
    return null;
  }
}

/** Two sides' JSON texts parsed (null: no text, or not JSON), integers beyond 2^53 exact; when
 *  either side could only be read as JSON.parse reads it, both are, so the two are read alike. */
export function parseJsonPair(pt: string | null, st: string | null): [Parsed, Parsed] {
  const p = parseWith(pt, parseExactJson);
  const s = p === null ? null : parseWith(st, parseExactJson);
  if (p === null || s === null || (p.value instanceof RoundedJson) === (s.value instanceof RoundedJson)) return [unwrap(p), unwrap(s)];
  return [parseWith(pt, JSON.parse), parseWith(st, JSON.parse)];
}

function unwrap(p: Parsed): Parsed {
  return p !== null && p.value instanceof RoundedJson ? { value: p.value.value } : p;
}
