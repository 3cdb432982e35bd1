// The admin host itself is one of the names the admin API answers (contract v2, "Edge", Admin
// API). Tests bind loopback only, so the non-loopback case is proved on the pure decision.
import { describe, expect, it } from 'vitest';
import { hostAllowed } from '../src/admin/request-checks.js';

describe('hostAllowed', () => {
  it("accepts the admin host itself, on any port, and nothing else that is not loopback or listed", () => {
    const policy = { adminHost: '10.1.2.3', allowedHosts: [] };
    expect(hostAllowed('10.1.2.3:9901', policy)).toBe(true);
    expect(hostAllowed('10.1.2.3', policy)).toBe(true);
    expect(hostAllowed('10.1.2.4:9901', policy)).toBe(false);
    expect(hostAllowed('[fd00::5]:9901', { adminHost: 'fd00::5', allowedHosts: [] })).toBe(true);
    expect(hostAllowed('admin.internal', { adminHost: 'Admin.Internal', allowedHosts: [] })).toBe(true);
    expect(hostAllowed(undefined, policy)).toBe(false);
    expect(hostAllowed('', policy)).toBe(false);
    expect(hostAllowed('evil.example/x', policy)).toBe(false);
  });

  it('bound to every address (0.0.0.0, ::), accepts the address the request came in on: a scraper addresses a pod by its IP', () => {
    const pod = (localAddress: string) => ({ adminHost: '0.0.0.0', allowedHosts: [], localAddress });
    expect(hostAllowed('10.244.1.7:9901', pod('10.244.1.7'))).toBe(true);
    expect(hostAllowed('10.244.1.7:9901', pod('::ffff:10.244.1.7'))).toBe(true); // (a socket on ::)
    expect(hostAllowed('[fd00::7]:9901', { ...pod('fd00::7'), adminHost: '::' })).toBe(true);
    expect(hostAllowed('10.244.1.8:9901', pod('10.244.1.7'))).toBe(false); // another pod's address
    expect(hostAllowed('evil.example:9901', pod('10.244.1.7'))).toBe(false); // a rebound name never is
    expect(hostAllowed('10.244.1.7:9901', { adminHost: '0.0.0.0', allowedHosts: [] })).toBe(false); // unknown: refused
  });
});
