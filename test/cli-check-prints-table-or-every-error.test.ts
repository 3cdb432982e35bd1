import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { parseCommand } from '../src/cli/args.js';
import { startProxy, writeConfig } from './helpers/servers.js';


describe('strangler check', () => {
  it('prints the compiled table, longest prefix first, and exits 0 for a valid file', async () => {
    const file = await writeConfig(`
upstreams:
  legacy: { url: "\${LEGACY_URL:-http://127.0.0.1:8000}" }
  users: { url: http://127.0.0.1:8001 }
routes:
  - { prefix: /, upstream: legacy }
  - { prefix: /api/users, upstream: users, prefixRewrite: /users, retry: { attempts: 3 }, fallback: legacy }
`);
    const r = await cli(['check', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${file}: valid, version `);
    expect(r.out).toContain('legacy  http://127.0.0.1:8000');
    const lines = r.out.split('\n');
    const users = lines.findIndex((l) => l.includes('/api/users'));
    const root = lines.findIndex((l) => /^\s+\/\s/.test(l));
    expect(users).toBeGreaterThan(-1);
    expect(root).toBeGreaterThan(users);
    expect(lines[users]).toContain('retry x3, fallback legacy');
  });

  it('prints the JSON table with --json', async () => {
    const file = await writeConfig('upstreams:\n  a: { url: http://127.0.0.1:1 }\nroutes:\n  - { prefix: /, upstream: a }\n');
    const r = await cli(['check', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ routes: [{ prefix: '/', upstream: 'a', timeoutMs: 15000 }] });
  });

  it('prints every error with file:line:column and the YAML path, and exits 1', async () => {
    const file = await writeConfig(`upstreams:
  legacy: { url: http://127.0.0.1:8000 }
routes:
  - prefix: /api
    upstream: nowhere
  - prefix: /x
    upstream: legacy
    retry:
      attempts: 0
`);
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`${file}:5:15 routes\\[0\\]\\.upstream: .*nowhere`));
    expect(r.err).toMatch(new RegExp(`${file}:9:17 routes\\[1\\]\\.retry\\.attempts: `));
    expect(r.err).toContain('2 error(s)');
  });

  it('reports a missing file as an error, exit 1', async () => {
    const r = await cli(['check', '/nonexistent/routes.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('/nonexistent/routes.yaml');
  });
});

describe('command line precedence', () => {
  it('takes flags over environment', () => {
    const cmd = parseCommand(['--port', '7000', '--config', 'a.yaml'], { PORT: '6000', ADMIN_PORT: '6001', STRANGLER_CONFIG: 'b.yaml', ADMIN_TOKEN: 't', LOG_LEVEL: 'debug' });
    expect(cmd).toMatchObject({ kind: 'serve', port: 7000, adminPort: 6001, configPath: 'a.yaml', adminToken: 't', logLevel: 'debug' });
  });

  it('leaves unset what neither flags nor environment give, so the file and defaults decide', () => {
    const cmd = parseCommand([], {});
    expect(cmd).toMatchObject({ kind: 'serve', port: undefined, adminPort: undefined, configPath: 'routes.yaml' });
  });

  it('refuses a bad port with exit code 2', async () => {
    const r = await cli(['--port', 'http']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--port must be a port number 0..65535 (got 'http')");
  });
});

describe('strangler check, a shadow of the route\'s own upstream', () => {
  it('shows that shadow as off', async () => {
    const file = await writeConfig('upstreams:\n  orders: { url: http://127.0.0.1:8002 }\nroutes:\n  - { prefix: /orders, upstream: orders, shadow: { upstream: orders } }\n');
    const r = await cli(['check', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('shadow off (same upstream as the route)');
  });

  it('and the proxy, loading it, warns in the same words', async () => {
    const proxy = await startProxy('upstreams:\n  orders: { url: http://127.0.0.1:8002 }\nroutes:\n  - { prefix: /orders, upstream: orders, shadow: { upstream: orders } }\n');
    try {
      expect(proxy.logs.find((l) => l.route === '/orders' && String(l.msg).startsWith('shadow off'))).toMatchObject({ level: 'warn', msg: 'shadow off (same upstream as the route)' });
    } finally {
      await proxy.close();
    }
  });
});

describe("strangler check, a canary of the route's own upstream", () => {
  it('accepts it as off: the cutover a canary leads to ("set upstream: users") is one edit, its fallback to the old primary included', async () => {
    const canary = '  - { prefix: /users, upstream: UP, fallback: legacy, canary: { upstream: users, steps: [5, 50, 100], stepEveryMs: 60000 } }\n';
    const yaml = (up: string) => 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  users: { url: http://127.0.0.1:8001 }\nroutes:\n' + canary.replace('UP', up);
    const before = await cli(['check', await writeConfig(yaml('legacy'))]);
    expect(before.code).toBe(0);
    expect(before.out).toContain('canary users steps 5/50/100%');
    expect(before.out).toContain('fallback legacy (every replay-safe method)'); // (back to the primary)

    const after = await cli(['check', await writeConfig(yaml('users'))]);
    expect(after.code).toBe(0);
    expect(after.out).toContain('canary off (same upstream as the route)');
    expect(after.out).not.toContain('canary users');
    // No canary runs any more: a fallback to legacy is now the cut-over route's, reads only.
    expect(after.out).toContain('fallback legacy (GET,HEAD,OPTIONS)');
  });
});

describe('strangler check, fallbacks (contract v2)', () => {
  it("shows a fallback naming the route's own upstream as off, and each fallback's methods", async () => {
    const file = await writeConfig(
      'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  users: { url: http://127.0.0.1:8001 }\nroutes:\n' +
        '  - { prefix: /users, upstream: legacy, fallback: legacy }\n' +
        '  - { prefix: /orders, upstream: users, fallback: legacy }\n' +
        '  - { prefix: /pay, upstream: users, preserveHost: false, fallback: { upstream: legacy, methods: [GET, POST] } }\n' +
        '  - { prefix: /canary, upstream: legacy, fallback: legacy, canary: { upstream: users, percent: 5 } }\n',
    );
    const r = await cli(['check', file]);
    expect(r.code).toBe(0);
    const line = (prefix: string) => r.out.split('\n').find((l) => l.trimStart().startsWith(prefix + ' '));
    expect(line('/users')).toContain('fallback off (same upstream as the route)');
    expect(line('/orders')).toContain('fallback legacy (GET,HEAD,OPTIONS)');
    expect(line('/pay')).toContain('fallback legacy (GET,POST), preserveHost false');
    expect(line('/orders')).not.toContain('preserveHost');
    expect(line('/canary')).toContain('fallback legacy (every replay-safe method)');
  });
});
