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
});
