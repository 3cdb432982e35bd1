import { describe, expect, it } from 'vitest';
import { h2ResponseHeaderObject } from '../src/forward/h2-response-headers.js';

const object = (o: Record<string, string | string[]>) => Object.assign(Object.create(null) as object, o);

describe('h2ResponseHeaderObject', () => {
  it('keeps the first value of a field node:http2 takes once, whatever its case', () => {
    const out = h2ResponseHeaderObject(['Content-Type', 'text/html', 'x-a', '1', 'content-type', 'text/plain', 'Date', 'd1', 'DATE', 'd2', 'etag', '"e"']);
    expect(out).toEqual(object({ 'content-type': 'text/html', 'x-a': '1', date: 'd1', etag: '"e"' }));
  });

  it('keeps every value of a field that may repeat, in order', () => {
    const out = h2ResponseHeaderObject(['set-cookie', 'a=1', 'Set-Cookie', 'b=2', 'vary', 'accept', 'vary', 'origin', 'link', '</a>', 'set-cookie', 'c=3']);
    expect(out).toEqual(object({ 'set-cookie': ['a=1', 'b=2', 'c=3'], vary: ['accept', 'origin'], link: '</a>' }));
  });

  it('drops connection-specific fields, and te unless it says trailers', () => {
    const out = h2ResponseHeaderObject([
      'HTTP2-Settings', 'AAMAAABkAAQAAP__', 'connection', 'close', 'Keep-Alive', 'timeout=5', 'proxy-connection', 'x',
      'transfer-encoding', 'chunked', 'upgrade', 'h2c', 'te', 'gzip', 'x-kept', 'yes', 'te', 'trailers', 'te', 'deflate',
    ]);
    expect(out).toEqual(object({ 'x-kept': 'yes', te: 'trailers' }));
  });

  it('keeps fields named like Object.prototype members as fields, __proto__ too', () => {
    const out = h2ResponseHeaderObject(['__proto__', 'p', 'constructor', 'c', 'toString', 't', 'hasOwnProperty', 'h', 'constructor', 'c2']);
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor', 'tostring', 'hasownproperty']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('p');
    expect(out['constructor']).toEqual(['c', 'c2']);
    expect(out['tostring']).toBe('t');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
