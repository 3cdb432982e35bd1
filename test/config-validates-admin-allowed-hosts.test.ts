// server.adminAllowedHosts: host names or IP addresses, without scheme or port, each mistake
// reported with its line and column; `strangler check --json` shows the list with the server keys.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { formatConfigErrors } from '../src/config/format.js';
import { cli } from './helpers/cli.js';
import { writeConfig } from './helpers/servers.js';

const file = (hosts: string): string =>
  `server:\n  adminAllowedHosts:\n${hosts}upstreams:\n  legacy: { url: "http://127.0.0.1:8000" }\nroutes:\n  - { prefix: /, upstream: legacy }\n`;

describe('server.adminAllowedHosts', () => {
  it('accepts host names and IP addresses, bare or bracketed IPv6', () => {
    const r = parseConfig(file('    - admin.internal\n    - 10.0.0.5\n    - "fd00::1"\n    - "[fd00::2]"\n'), 'r.yaml', {});
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('reports every bad entry at its line and column, saying what to write', () => {
    const r = parseConfig(file('    - http://admin.internal\n    - admin.internal:9901\n    - a b\n    - [x]\n'), 'r.yaml', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatConfigErrors(r.errors).split('\n')).toEqual([
      "r.yaml:3:7 server.adminAllowedHosts[0]: must be a host name without a scheme, like admin.internal, 10.0.0.5 or [fd00::1] (got 'http://admin.internal')",
      "r.yaml:4:7 server.adminAllowedHosts[1]: must not carry a port: every port is accepted (write 'admin.internal', got 'admin.internal:9901')",
      "r.yaml:5:7 server.adminAllowedHosts[2]: must be a host name or IP address, like admin.internal, 10.0.0.5 or [fd00::1] (got 'a b')",
      'r.yaml:6:7 server.adminAllowedHosts[3]: must be a string (got a list)',
    ]);
  });

  it('is shown by strangler check --json with the other server keys', async () => {
    const path = await writeConfig(file('    - admin.internal\n'));
    const r = await cli(['check', path, '--json']);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { server: Record<string, unknown> }).server.adminAllowedHosts).toEqual(['admin.internal']);
  });
});
