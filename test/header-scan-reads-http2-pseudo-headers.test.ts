import { describe, expect, it } from 'vitest';
import { scanRequestHeaders } from '../src/forward/headers.js';

const h2 = (...more: string[]): string[] => [':method', 'GET', ':path', '/p', ':scheme', 'https', ':authority', 'api.example:8443', ...more];

describe('the header scan on an HTTP/2 request', () => {
  it('takes :authority as the host and forwards no pseudo-header', () => {
    const scan = scanRequestHeaders(h2('accept', '*/*'), 0, '/p');
    expect(scan.h2).toBe(true);
    expect(scan.host).toBe('api.example:8443');
    expect(scan.authority).toBeNull();
    expect(scan.headers).toEqual(['accept', '*/*']);
    expect(scan.count).toBe(1);
    expect(scan.hostProblem).toBeNull();
  });

  it('joins a Cookie split over several fields, as RFC 9113 8.2.3 asks before HTTP/1.1', () => {
    expect(scanRequestHeaders(h2('cookie', 'a=1', 'x', 'y', 'cookie', 'b=2'), 0, '/p').headers).toEqual(['cookie', 'a=1; b=2', 'x', 'y']);
  });

  it('refuses a Host naming another host than :authority', () => {
    expect(scanRequestHeaders(h2('host', 'evil.example'), 0, '/p').hostProblem).toBe('the Host header names another host than :authority');
    expect(scanRequestHeaders(h2('host', 'API.example:8443'), 0, '/p').hostProblem).toBeNull();
  });

  it('leaves HTTP/1.1 requests as they were (several Cookie fields stay)', () => {
    const scan = scanRequestHeaders(['Host', 'a.example', 'Cookie', 'a=1', 'Cookie', 'b=2'], 0, '/');
    expect(scan.h2).toBe(false);
    expect(scan.headers).toEqual(['Cookie', 'a=1', 'Cookie', 'b=2']);
  });
});
