import { describe, expect, it } from 'vitest';
import { formatTable } from '../src/cli/check.js';
import { parseConfig } from '../src/config/load.js';
import { effectiveConfig } from '../src/routing/effective.js';

describe('strangler check', () => {
  it('lists the authenticators (never a secret) and each route’s auth and rate limit', () => {
    const r = parseConfig(
      `auth:
  idp: { jwt: { secret: 'do-not-print-me-0123456789abcdef', claimsToHeaders: { sub: x-user-id } } }
  session: { forward: { upstream: legacy, path: /auth/whoami, copyHeaders: [x-user-id] } }
upstreams: { legacy: { url: 'http://127.0.0.1:8000' }, users: { url: 'http://127.0.0.1:8001' } }
routes:
  - { prefix: /users, upstream: users, auth: [idp, session], rateLimit: { requestsPerSecond: 5, key: 'header:x-api-key' } }
  - { prefix: /, upstream: legacy }
`,
      'r.yaml',
      {},
    );
    if (!r.ok) throw new Error('expected a valid file');
    const e = effectiveConfig(r.config);
    if (!e.ok) throw new Error('expected an effective config');
    const text = formatTable(e.effective, { version: r.version, file: 'r.yaml' });
    expect(text).toContain('idp      jwt      a shared secret, HS256, sub -> x-user-id');
    expect(text).toContain('session  forward  asks legacy /auth/whoami, copies x-user-id');
    expect(text).toContain('auth idp or session, rate limit 5/s burst 5 by header:x-api-key');
    expect(text).not.toContain('do-not-print-me');
  });
});
