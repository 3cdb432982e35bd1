// A port already taken (a second `npm start`, another proxy on 8080) stopped the start with a
// JSON log line and a stack on stdout, and nothing on stderr. Now the built CLI exits 1 and says
// on stderr which address is taken and how to choose another.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startFailureLine } from '../src/cli/start-failure.js';
import { writeConfig } from './helpers/servers.js';

describe('a failed start', () => {
  it('names the port in use and the flags that move it, on stderr, exit 1', async () => {
    const taken = net.createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    try {
      const file = await writeConfig('upstreams:\n  legacy: { url: "http://127.0.0.1:8000" }\nroutes:\n  - { prefix: /, upstream: legacy }\n');
      const child = spawn(process.execPath, [path.resolve('dist/src/main.js'), '--config', file, '--port', String(port), '--host', '127.0.0.1', '--admin-port', '0'], {
        env: { ...process.env, ADMIN_TOKEN: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const [code] = (await once(child, 'close')) as [number];
      expect(code).toBe(1);
      expect(err).toBe(`strangler: not starting: 127.0.0.1:${port} is in use by another process (EADDRINUSE); choose another with --port or PORT (the proxy), --admin-port or ADMIN_PORT (the admin API), --host / --admin-host for the address, or server.port / server.adminPort in the routes file\n`);
    } finally {
      taken.close();
    }
  });

  it('says any other cause in one line', () => {
    expect(startFailureLine(new Error('the TLS key does not match the certificate'))).toBe('strangler: not starting: the TLS key does not match the certificate\n');
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES', address: '0.0.0.0', port: 80 });
    expect(startFailureLine(denied)).toContain('0.0.0.0:80 is not open to this user (ports below 1024 need privileges) (EACCES)');
  });
});
