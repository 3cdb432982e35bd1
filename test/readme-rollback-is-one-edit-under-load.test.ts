// The README's rollback, applied literally to the repo's own routes.yaml while requests flow: the
// one-line edit it describes (`upstream: users` -> `upstream: legacy` on the /users route, which
// also says `fallback: legacy`) is accepted and applied, the answers then come from the monolith,
// and no request fails. The edit and the expected log are read from the README itself, so the
// README, routes.yaml and this test cannot drift apart.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { afterAll, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { startProxy, startUpstream, type TestProxy, type Upstream } from './helpers/servers.js';

const repoFile = (name: string) => readFile(fileURLToPath(new URL(`../${name}`, import.meta.url)), 'utf8');

let servers: Upstream[] = [];
let proxy: TestProxy | undefined;
const agent = new Agent({ connections: 8 });
afterAll(async () => {
  await proxy?.close();
  await Promise.all(servers.map((s) => s.close()));
  await agent.close();
});

interface Answer {
  readonly status: number;
  readonly servedBy: string;
  /** Started after the proxy logged the reload. */
  readonly afterReload: boolean;
}

it("applies the README's rollback of /users under load: accepted, applied, answers from legacy, 0 failed", async () => {
  // --- what the README says to do, and what it says the proxy then logs ------------------------
  const readme = (await repoFile('README.md')).replace(/\s+/g, ' ');
  const edit = /change `(upstream: users)` to `(upstream: legacy)` in `routes\.yaml` and save/.exec(readme);
  expect(edit, 'the README describes the rollback edit').not.toBeNull();
  const [, from, to] = edit!;
  const logged = /"msg":"config reloaded",\.\.\.,"changes":(\[[^\]]*\])/.exec(readme);
  expect(logged, 'the README quotes the reload log').not.toBeNull();
  const changes = JSON.parse(logged![1]!) as string[];
  expect(readme).toContain(LOG.fallbackOffOwnUpstream);

  // --- the repo's routes.yaml, its upstreams pointed at test servers -----------------------------
  const named = (name: string) =>
    startUpstream((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'x-served-by': name }).end(`${name}: ${req.method} ${req.url}`));
    });
  servers = await Promise.all(['legacy', 'users', 'orders'].map(named));
  const [legacy, users, orders] = servers as [Upstream, Upstream, Upstream];
  const original = await repoFile('routes.yaml');
  proxy = await startProxy(original, { env: { LEGACY_URL: legacy.url, USERS_URL: users.url, ORDERS_URL: orders.url } });
  const p = proxy;

  // The edit, literally: the one line that says `upstream: users` (comments aside) becomes
  // `upstream: legacy`, indentation kept; nothing else in the file changes.
  const lines = original.split('\n');
  const at = lines.flatMap((l, i) => (l.trim() === from ? [i] : []));
  expect(at, `exactly one line reads '${from}'`).toHaveLength(1);
  const route = lines.slice(0, at[0]).reverse().find((l) => l.trim().startsWith('- prefix:'));
  expect(route?.trim()).toBe('- prefix: /users');
  lines[at[0]!] = lines[at[0]!]!.replace(from!, to!);
  const edited = lines.join('\n');

  // --- requests flowing: 4 clients, GETs and POSTs on /users, until the rollback has shown ------
  const answers: Answer[] = [];
  let usersAnswered: () => void = () => {};
  const someFromUsers = new Promise<void>((resolve) => (usersAnswered = resolve));
  let reloaded = false;
  let stop = false;
  let legacyAfter = 0;
  const client = async (n: number) => {
    for (let i = 0; legacyAfter < 100 && !stop; i++) {
      const afterReload = reloaded;
      const post = i % 4 === 3;
      const r = await fetch(`${p.url}/users/${n}-${i}`, { method: post ? 'POST' : 'GET', body: post ? '{"name":"ada"}' : undefined, dispatcher: agent });
      await r.arrayBuffer();
      const servedBy = r.headers.get('x-served-by') ?? `none (${r.status})`;
      answers.push({ status: r.status, servedBy, afterReload });
      if (answers.filter((a) => a.servedBy === 'users').length >= 20) usersAnswered();
      if (afterReload && servedBy === 'legacy') legacyAfter++;
    }
  };
  const clients = [0, 1, 2, 3].map(client);

  // Let the users service answer some first, then save the edit (write aside, rename over: as
  // editors save).
  await Promise.race([someFromUsers, Promise.all(clients).then(() => Promise.reject(new Error('the clients ended first')))]);
  const since = p.logs.length;
  await writeFile(p.file + '.tmp', edited);
  await rename(p.file + '.tmp', p.file);
  const line = await p.logLine((l) => p.logs.indexOf(l) >= since && (l.msg === LOG.configReloaded || l.msg === LOG.configRejected));
  reloaded = true;
  stop = line.msg !== LOG.configReloaded;
  await Promise.all(clients);

  // --- accepted and applied ----------------------------------------------------------------------
  expect(line).toMatchObject({ msg: LOG.configReloaded, changes });
  expect(p.logs.slice(since).filter((l) => l.msg === LOG.configRejected)).toEqual([]);
  expect(await p.logLine((l) => p.logs.indexOf(l) >= since && l.msg === LOG.fallbackOffOwnUpstream)).toMatchObject({ route: '/users' });
  const table = (await (await fetch(p.adminUrl + '/routes', { dispatcher: agent })).json()) as { routes: { prefix: string; upstream: string; fallback: unknown }[] };
  expect(table.routes.find((r) => r.prefix === '/users')).toMatchObject({ upstream: 'legacy', fallback: null });

  // --- answers from legacy once applied, and 0 failed ---------------------------------------------
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(answers.filter((a) => a.afterReload && a.servedBy !== 'legacy')).toEqual([]);
  expect(new Set(answers.map((a) => a.servedBy))).toEqual(new Set(['users', 'legacy']));
  expect(answers.length).toBeGreaterThanOrEqual(120);
});
