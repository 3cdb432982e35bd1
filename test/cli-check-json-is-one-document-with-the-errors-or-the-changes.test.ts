// `strangler check --json` prints exactly one JSON document on stdout, whatever else it was
// asked: an invalid file's errors (each with its file, line, column and path; the summary line
// stays on stderr), or the effective table with, under --admin, what the file would change in
// the running proxy (`against`). A script reads stdout with JSON.parse and nothing else.
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { startProxy, startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';

describe('strangler check --json', () => {
  it('prints an invalid file as its errors, in JSON, and exits 1', async () => {
    const file = await writeConfig('upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\nroutes:\n  - { prefix: /users, upstream: legcy }\n  - { prefix: /a, upstream: legacy, retry: { attempts: 0 } }\n');
    const r = await cli(['check', file, '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { file: string; valid: boolean; errors: { file: string; line: number; column: number; path: string; message: string; text: string }[] };
    expect(doc.valid).toBe(false);
    expect(doc.file).toBe(file);
    expect(doc.errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [4, 33, 'routes[0].upstream'],
      [5, 56, 'routes[1].retry.attempts'],
    ]);
    expect(doc.errors[0]!.message).toContain("unknown upstream 'legcy'");
    expect(doc.errors[0]!.text).toBe(`${file}:4:33 routes[0].upstream: ${doc.errors[0]!.message}`);
    expect(r.err).toBe(`${file}: 2 error(s); the file is not valid\n`);
  });

  it('puts what the file would change in the running proxy in the same document', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const base = upstreamsYaml({ users: up.url, legacy: up.url });
    const proxy = await startProxy(base + 'routes:\n  - { prefix: /users, upstream: users }\n');
    try {
      const edited = await writeConfig(base + 'routes:\n  - { prefix: /users, upstream: legacy }\n');
      const r = await cli(['check', edited, '--admin', proxy.adminUrl, '--json']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.out) as { version: string; routes: { prefix: string; upstream: string }[]; against: { admin: string; version: string; changes: string[] } };
      expect(doc.routes.map((x) => [x.prefix, x.upstream])).toEqual([['/users', 'legacy']]);
      expect(doc.against).toEqual({ admin: proxy.adminUrl, version: proxy.proxy.store.current.version, changes: ['/users: upstream users -> legacy'] });
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
