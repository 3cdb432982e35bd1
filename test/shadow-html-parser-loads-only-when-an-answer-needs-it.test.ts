// The HTML parser and selector engine are loaded on first use: JSON and text comparisons, and
// a config without CSS selectors, never load them (vitest runs each file in its own module
// graph, so this file starts with them unloaded).

import { describe, expect, it } from 'vitest';
import { compareOptionsFrom, compareResponses } from '../src/shadow/diff.js';
import { compareProblems } from '../src/shadow/compare-checks.js';
import { htmlLibLoaded } from '../src/shadow/html-lib.js';

describe('the HTML libraries', () => {
  it('stay unloaded for JSON and text, and load for the first HTML answer', () => {
    const opts = compareOptionsFrom({ ignore: ['$.id'], ignoreText: ['\\d+'] });
    expect(compareProblems({ ignore: ['$.id'], ignoreText: ['\\d+'] })).toEqual([]);
    const json = { 'content-type': 'application/json' };
    expect(compareResponses({ status: 200, headers: json, body: Buffer.from('{"id":1}') }, { status: 200, headers: json, body: Buffer.from('{"id":2}') }, opts).result).toBe('match');
    const text = { 'content-type': 'text/plain' };
    expect(compareResponses({ status: 200, headers: text, body: Buffer.from('n=1') }, { status: 200, headers: text, body: Buffer.from('n=2') }, opts).result).toBe('match');
    expect(htmlLibLoaded()).toBe(false);

    const page = { 'content-type': 'text/html' };
    expect(compareResponses({ status: 200, headers: page, body: Buffer.from('<p>1</p>') }, { status: 200, headers: page, body: Buffer.from('<p>2</p>') }, opts).result).toBe('mismatch');
    expect(htmlLibLoaded()).toBe(true);
  });
});
