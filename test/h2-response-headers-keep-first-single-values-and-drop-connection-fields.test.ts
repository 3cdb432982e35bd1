import { describe, expect, it } from 'vitest';
import { h2ResponseHeaders } from '../src/forward/h2-response-headers.js';

describe('h2ResponseHeaders', () => {
  it('keeps the first value of a field node:http2 takes once, whatever its case', () => {
    const out = h2ResponseHeaders(['Content-Type', 'text/html', 'x-a', '1', 'content-type', 'text/plain', 'Date', 'd1', 'DATE', 'd2', 'etag', '"e"']);
    expect(out).toEqual(['Content-Type', 'text/html', 'x-a', '1', 'Date', 'd1', 'etag', '"e"']);
  });

  it('keeps every value of a field that may repeat', () => {
    const headers = ['set-cookie', 'a=1', 'Set-Cookie', 'b=2', 'vary', 'accept', 'vary', 'origin', 'link', '</a>'];
    expect(h2ResponseHeaders(headers)).toEqual(headers);
  });

  it('drops connection-specific fields, and te unless it says trailers', () => {
    const out = h2ResponseHeaders([
      'HTTP2-Settings', 'AAMAAABkAAQAAP__', 'connection', 'close', 'Keep-Alive', 'timeout=5', 'proxy-connection', 'x',
      'transfer-encoding', 'chunked', 'upgrade', 'h2c', 'te', 'gzip', 'x-kept', 'yes', 'te', 'trailers',
    ]);
    expect(out).toEqual(['x-kept', 'yes', 'te', 'trailers']);
  });

  it('returns the same array when nothing is refused', () => {
    const headers = ['content-type', 'text/plain', 'x-request-id', 'r'];
    expect(h2ResponseHeaders(headers)).toBe(headers);
  });
});
