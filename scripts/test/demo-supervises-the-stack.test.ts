import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../legacy-monolith/test/helpers.js';
import { writeJsonFileAtomic } from '../../demo-kit/json-file.js';
import { runBuilt, type BuiltProcess } from '../lib/test/built-process.js';
import { LOG } from '../../src/observability/log-messages.js';

// A stand-in for the proxy: prints the proxy's listening line (plus what it was given),
// exits with FAKE_PROXY_EXIT_AT_START before listening when that is set, exits 3 when asked
// for /die, and with FAKE_PROXY_IGNORE_SIGTERM set, ignores SIGTERM.
const FAKE_PROXY = `
import http from 'node:http';
if (process.env.FAKE_PROXY_EXIT_AT_START) process.exit(Number(process.env.FAKE_PROXY_EXIT_AT_START));
const listen = (server, port, host) => new Promise((resolve) => server.listen(port, host, () => resolve(server.address().port)));
const main = http.createServer((req, res) => { res.end('ok'); if (req.url === '/die') res.on('finish', () => process.exit(3)); });
const admin = http.createServer((req, res) => res.end('admin'));
process.on('SIGTERM', () => {
  if (process.env.FAKE_PROXY_IGNORE_SIGTERM) return console.log('fake proxy ignoring SIGTERM');
  console.log('fake proxy stopping on SIGTERM');
  process.exit(0);
});
const port = await listen(main, Number(process.env.PORT), '127.0.0.1');
const adminPort = await listen(admin, Number(process.env.ADMIN_PORT), '127.0.0.1');
console.log(JSON.stringify({ level: 30, msg: 'listening', port, adminPort, legacyUrl: process.env.LEGACY_URL, usersUrl: process.env.USERS_URL, ordersUrl: process.env.ORDERS_URL, argv: process.argv.slice(2) }));
`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function childPids(demo: BuiltProcess): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const line of demo.lines) {
    const m = /^\[demo\] {3}started (\w+) \(pid (\d+)\)/.exec(line);
    if (m) pids[m[1]!] = Number(m[2]);
  }
  return pids;
}

const after = (line: string, prefix: string): string => line.slice(prefix.length);

describe('npm start (dist/scripts/demo.js)', () => {
  const tempDir = useTempDirs();
  const demos: BuiltProcess[] = [];
  afterEach(async () => {
    // A test that failed half-way must not leave the stack running.
    for (const demo of demos.splice(0)) {
      if (demo.child.exitCode === null && demo.child.signalCode === null) demo.child.kill('SIGTERM');
      await demo.exited;
    }
  });

  async function startDemo(env: NodeJS.ProcessEnv = {}) {
    const dir = await tempDir('demo-');
    const proxyBin = join(dir, 'fake-proxy.mjs');
    await writeFile(proxyBin, FAKE_PROXY);
    const demo = runBuilt('scripts/demo.js', {
      cwd: dir,
      env: {
        LEGACY_PORT: '0',
        USERS_PORT: '0',
        ORDERS_PORT: '0',
        PORT: '0',
        ADMIN_PORT: '0',
        LEGACY_DATA_DIR: join(dir, 'legacy'),
        USERS_DATA_DIR: join(dir, 'users'),
        ORDERS_DATA_DIR: join(dir, 'orders'),
        STRANGLER_BIN: proxyBin,
        ...env,
      },
    });
    demos.push(demo);
    return demo;
  }

  it('starts the monolith, the users and orders services seeded from it, then the proxy, prefixing every line', async () => {
    const demo = await startDemo();
    await demo.line(/The demo stack is up/);

    const legacyLine = await demo.line(/^\[legacy\] legacy monolith listening on /);
    const usersLine = await demo.line(/^\[users\] {2}users service listening on /);
    const ordersLine = await demo.line(/^\[orders\] orders service listening on /);
    const proxyLine = await demo.line(/^\[proxy\] {2}\{/);
    const legacyUrl = after(legacyLine, '[legacy] legacy monolith listening on ');
    const usersUrl = after(usersLine, '[users]  users service listening on ');
    const ordersUrl = after(ordersLine, '[orders] orders service listening on ');
    expect(legacyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ordersUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(after(proxyLine, '[proxy]  '))).toMatchObject({ msg: LOG.listening, legacyUrl, usersUrl, ordersUrl, argv: ['--config', 'routes.yaml'] });
    expect(await demo.line(/^\[demo\] {3}copied \d+ users/)).toMatch(/^\[demo\] {3}copied 3 users from .* \(3 new, 0 changed, 0 unchanged\)$/);
    expect(await demo.line(/^\[demo\] {3}copied \d+ orders/)).toMatch(/^\[demo\] {3}copied 4 orders from .* \(4 new, 0 changed, 0 unchanged\)$/);
    expect(await demo.line(/^ {4}orders service /)).toMatch(new RegExp(`^ {4}orders service {3}${ordersUrl} +data: .*orders {2}\\(shadow of /orders\\)$`));
    // Each process's pid (the README pauses one with kill -STOP), as each was started; and, the
    // admin port moved, how status and report find it from another shell.
    const started = await Promise.all(['legacy', 'users', 'orders', 'proxy'].map(async (name) => `${name} ${/\(pid (\d+)\)/.exec(await demo.line(new RegExp(`^\\[demo\\] +started ${name} \\(pid`)))![1]}`));
    expect(await demo.line(/^ {4}pids: /)).toBe(`    pids: ${started.join(', ')}`);
    const admin = /admin: (http:\/\/127\.0\.0\.1:(\d+))$/.exec(await demo.line(/^ {4}proxy +http/))!;
    expect(await demo.line(/^ {4}\(in another shell/)).toBe(`    (in another shell: ADMIN_PORT=${admin[2]} npx strangler status, or --admin ${admin[1]})`);

    const order = await fetch(`${ordersUrl}/orders/1`);
    expect(order.headers.get('x-served-by')).toBe('orders-service');
    expect(await order.json()).toMatchObject({ id: 1, user_id: 1, createdAt: Date.parse('2024-03-01T09:15:00.000Z') });

    const user = await fetch(`${usersUrl}/users/1`);
    expect(user.headers.get('x-served-by')).toBe('users-service');
    expect(await user.json()).toEqual({ id: 1, email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(await demo.line(/^\[users\] {2}GET \/users\/1 200/)).toBeDefined();

    demo.child.kill('SIGTERM');
    expect(await demo.exited).toEqual({ code: 0, signal: null });
  });

  it('on SIGTERM, stops every child and exits 0', async () => {
    const demo = await startDemo();
    await demo.line(/The demo stack is up/);
    const pids = childPids(demo);
    expect(Object.keys(pids).sort()).toEqual(['legacy', 'orders', 'proxy', 'users']);

    demo.child.kill('SIGTERM');

    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(demo.lines).toContain('[proxy]  fake proxy stopping on SIGTERM');
    expect(demo.lines).toContain('[users]  users service stopping (SIGTERM)');
    expect(demo.lines).toContain('[orders] orders service stopping (SIGTERM)');
    expect(demo.lines).toContain('[legacy] legacy monolith stopping (SIGTERM)');
    for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
  });

  it('SIGKILLs a child still running when the stop wait runs out, and still exits 0', async () => {
    const demo = await startDemo({ FAKE_PROXY_IGNORE_SIGTERM: '1', DEMO_STOP_TIMEOUT_MS: '300' });
    await demo.line(/The demo stack is up/);
    const pids = childPids(demo);

    demo.child.kill('SIGTERM');

    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(demo.lines).toContain('[proxy]  fake proxy ignoring SIGTERM');
    expect(demo.lines).toContain('[demo]   proxy still running 300 ms after SIGTERM: sending SIGKILL');
    for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
  });

  it('when a child dies, says which, stops the others and exits 1', async () => {
    const demo = await startDemo();
    const proxyLine = await demo.line(/^\[proxy\] {2}\{/);
    await demo.line(/The demo stack is up/);
    const pids = childPids(demo);

    await fetch(`http://127.0.0.1:${JSON.parse(after(proxyLine, '[proxy]  ')).port}/die`).then((r) => r.text());

    expect(await demo.exited).toEqual({ code: 1, signal: null });
    expect(demo.lines).toContain('[demo]   proxy exited with code 3 unexpectedly; stopping the others');
    for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
  });

  it('when a child fails to start, names it, stops the others and exits 1', async () => {
    const demo = await startDemo({ FAKE_PROXY_EXIT_AT_START: '2' });

    expect(await demo.exited).toEqual({ code: 1, signal: null });
    expect(demo.lines).toContain('[demo]   proxy exited with code 2 before it was listening; stopping the others');
    expect(demo.lines.some((l) => l.startsWith('[demo]   started proxy'))).toBe(true);
    for (const pid of Object.values(childPids(demo))) expect(isRunning(pid)).toBe(false);
  });

  it('leaves users and orders stores that already have data alone', async () => {
    const [usersDir, ordersDir] = [await tempDir('users-'), await tempDir('orders-')];
    const kept = { id: 9, user_id: 2, product: 'Kept', quantity: 1, createdAt: 1709284500000 };
    await writeJsonFileAtomic(join(ordersDir, 'store.json'), { orders: [kept], nextId: { orders: 10 } });
    await writeJsonFileAtomic(join(usersDir, 'store.json'), { users: [{ id: 7, email: 'kept@example.com', name: 'Kept' }], nextId: { users: 8 } });
    const demo = await startDemo({ USERS_DATA_DIR: usersDir, ORDERS_DATA_DIR: ordersDir });
    await demo.line(/The demo stack is up/);

    expect(demo.lines.some((l) => /^\[demo\] {3}copied \d+ (users|orders)/.test(l))).toBe(false);
    expect(demo.lines).toContain(`[demo]   the users service already has users in ${usersDir}; not copying (npm run copy-users refreshes them)`);
    expect(demo.lines).toContain(`[demo]   the orders service already has orders in ${ordersDir}; not copying (npm run copy-orders refreshes them)`);
    const ordersUrl = after(await demo.line(/^\[orders\] orders service listening on /), '[orders] orders service listening on ');
    expect(await (await fetch(`${ordersUrl}/orders/9`)).json()).toMatchObject(kept);

    demo.child.kill('SIGTERM');
    expect((await demo.exited).code).toBe(0);
  });
});
