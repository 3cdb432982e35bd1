// `compare.ignoreText` for text bodies that are compared as bytes (text/plain, text/css,
// JavaScript, XML...): every match of each regular expression is removed from both sides
// before comparing, so a build stamp or a request id that differs leaves no difference. Pure.
//
// The expressions are JavaScript regular expressions, compiled with the `g` flag only. They run
// on upstream bodies on the proxy's event loop, so one that can backtrack exponentially (a
// quantified group holding a quantifier, star height > 1: `(\w+\s?)+;`) is refused by the
// config check (safe-regex2, fastify's; it has false negatives, so it is a guard, not a proof).

import safeRegex from 'safe-regex2';
import { compareBytes, isTextBody, type BytesDifference } from './bytes.js';

export interface TextBlanker {
  /** The expressions as written. */
  readonly patterns: readonly string[];
  /** The text with every match of every expression removed, in order. */
  blank(text: string): string;
}

/** Compiles the expressions; throws SyntaxError on a bad one. */
export function compileTextBlanks(patterns: readonly string[]): TextBlanker {
  const res = patterns.map((p) => new RegExp(p, 'g'));
  return {
    patterns: [...patterns],
    blank: (text) => res.reduce((t, re) => t.replace(re, ''), text),
  };
}

/** For the config validator: null when the expression compiles as the shadow compiles it, else why not. */
export function checkTextPattern(pattern: string): string | null {
  try {
    new RegExp(pattern, 'g');
    if (!safeRegex(pattern)) return 'it can backtrack exponentially (a quantifier inside a quantified group, like (a+)+): write it with one level of repetition';
    return null;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).replace(/^Invalid regular expression: /, '');
  }
}

/**
 * compareBytes after blanking, when both bodies are text and there is something to blank;
 * plain compareBytes otherwise. Null: equal.
 */
export function compareText(primary: Buffer, shadow: Buffer, blanker: TextBlanker): BytesDifference | null {
  if (blanker.patterns.length === 0 || !isTextBody(primary) || !isTextBody(shadow)) return compareBytes(primary, shadow);
  const a = blanker.blank(primary.toString('utf8'));
  const b = blanker.blank(shadow.toString('utf8'));
  return a === b ? null : compareBytes(Buffer.from(a), Buffer.from(b));
}
