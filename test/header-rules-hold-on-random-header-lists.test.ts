// The request header pass over random header lists (fast-check, fixed seeds): hop-by-hop fields and
// the ones Connection names never go upstream; the spoofable forwarding headers are dropped unless
// the request is trusted; a request is trusted only when its trusted X-Forwarded-For entries are IP
// addresses and its X-Forwarded-Proto is http or https; Proxy (httpoxy) is always dropped.
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwardedForValue, isHopByHop, scanRequestHeaders } from '../src/forward/headers.js';

const SPOOFABLE = ['forwarded', 'x-real-ip', 'true-client-ip', 'client-ip', 'x-forwarded-port', 'x-forwarded-prefix', 'x-original-url', 'x-rewrite-url'];
const HOP = ['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection', 'proxy-authorization'];
const PLAIN = ['accept', 'x-custom', 'cookie', 'content-type', 'x-a'];
const UNDERSCORED = ['x_forwarded_for', 'X_Real_IP', 'x_forwarded-proto', 'client_ip'];
const caseOf = (s: string, upper: boolean[]) => [...s].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c)).join('');
const name = fc.tuple(fc.constantFrom(...SPOOFABLE, ...HOP, ...PLAIN, ...UNDERSCORED, 'proxy', 'x-forwarded-for', 'x-forwarded-proto', 'host'), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }))
  .map(([n, up]) => caseOf(n, up));
const ENTRY = ['1.2.3.4', '::1', '10.0.0.1', 'unknown', 'evil', '', ' 2001:db8::1 ', '999.1.1.1'];
const value = (n: string) => {
  const l = n.toLowerCase();
  if (l === 'connection') return fc.array(fc.constantFrom('close', 'keep-alive', 'x-custom', 'Accept', 'upgrade', 'x-a'), { maxLength: 3 }).map((t) => t.join(', '));
  if (l === 'x-forwarded-for') return fc.array(fc.constantFrom(...ENTRY), { minLength: 1, maxLength: 3 }).map((e) => e.join(','));
  if (l === 'x-forwarded-proto') return fc.constantFrom('http', 'https', 'ftp', 'HTTPS');
  return fc.constantFrom('v', '1', 'a b');
};
const headers = fc.array(name.chain((n) => value(n).map((v) => [n, v] as const)), { maxLength: 10 }).map((pairs) => pairs.flat());
const opts = (seed: number) => ({ seed, numRuns: 3000 });
const namesOf = (flat: readonly string[]) => flat.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

describe('request header rules on random header lists', () => {
  it('never forwards a hop-by-hop field, or a field the Connection header names', () => {
    fc.assert(fc.property(headers, fc.nat(3), (raw, trusted) => {
      const scan = scanRequestHeaders(raw, trusted);
      const named = new Set(raw.flatMap((v, i) => (i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'connection' ? v.split(',').map((t) => t.trim().toLowerCase()) : [])));
      for (const n of namesOf(scan.headers)) {
        expect(isHopByHop(n)).toBe(false);
        expect(named.has(n)).toBe(false);
      }
    }), opts(21));
  });

  it('drops the spoofable headers unless the request is trusted, and Proxy and the underscore spellings always', () => {
    fc.assert(fc.property(headers, fc.nat(3), (raw, trustedProxies) => {
      const scan = scanRequestHeaders(raw, trustedProxies);
      const out = namesOf(scan.headers);
      expect(out.filter((n) => n === 'proxy' || n.includes('_'))).toEqual([]);
      if (!scan.trusted) expect(out.filter((n) => SPOOFABLE.includes(n))).toEqual([]);
      if (trustedProxies === 0) expect(scan.trusted).toBe(false);
    }), opts(22));
  });

  it('trusts a request only when its trusted X-Forwarded-For entries are IPs and its proto is http or https', () => {
    fc.assert(fc.property(headers, fc.integer({ min: 1, max: 3 }), (raw, trustedProxies) => {
      const scan = scanRequestHeaders(raw, trustedProxies);
      const entries = (scan.forwardedFor ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
      const sane = entries.slice(-trustedProxies).every((e) => isIP(e) !== 0) && [null, 'http', 'https'].includes(scan.forwardedProto);
      expect(scan.trusted).toBe(sane);
      const sent = forwardedForValue(scan.forwardedFor, '127.0.0.9', scan.trusted ? trustedProxies : 0).split(', ');
      expect(sent.at(-1)).toBe('127.0.0.9');
      if (!scan.trusted) expect(sent).toEqual(['127.0.0.9']);
      else expect(sent.slice(0, -1).every((e) => isIP(e) !== 0)).toBe(true);
    }), opts(23));
  });
});
