// An upstream's tls: its files are read and checked at validation (a CA file without a PEM
// certificate, a client key that is not its certificate's), cert and key come together, tls sits
// on an https upstream only: each an error at its line and column, as `strangler check` prints.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoutesFile } from '../src/routing/source.js';
import { cli } from './helpers/cli.js';
import { TestPki } from './helpers/pki.js';

describe('strangler check: upstream tls', () => {
  const pki = new TestPki();
  const client = pki.issue({ names: ['strangler'], client: true, stem: 'client' });
  const other = pki.issue({ names: ['other'], client: true, stem: 'other' });
  let n = 0;
  const routes = (upstream: string): string => {
    const file = path.join(pki.dir, `routes-${n++}.yaml`);
    writeFileSync(file, `upstreams:\n  users:\n${upstream}routes:\n  - { prefix: /, upstream: users }\n`);
    return file;
  };
  afterAll(() => pki.cleanup());

  it('accepts ca, a client pair and servername given relative to the routes file', async () => {
    writeFileSync(path.join(pki.dir, 'rel-ca.pem'), pki.ca);
    const file = routes(`    url: https://users.internal:8443\n    tls:\n      ca: rel-ca.pem\n      cert: ${client.certFile}\n      key: ${client.keyFile}\n      servername: users.internal\n`);
    const r = await loadRoutesFile(file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const users = r.effective.upstreams.get('users')!;
    expect(users.tls?.ca).toBe(path.join(pki.dir, 'rel-ca.pem'));
    expect(users.tlsMaterial).toMatchObject({ servername: 'users.internal', insecureSkipVerify: false });
    expect(users.tlsMaterial?.ca?.toString()).toBe(pki.ca);
    expect((await cli(['check', file])).code).toBe(0);
  });

  it('reports a CA file that is missing or holds no certificate, and a key that is not the certificate\'s', async () => {
    const junk = path.join(pki.dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const missing = routes(`    url: https://users.internal\n    tls:\n      ca: ${path.join(pki.dir, 'nope.pem')}\n`);
    const r1 = await cli(['check', missing]);
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(new RegExp(`${missing}:5:7 upstreams\\.users\\.tls\\.ca: cannot read the CA file .*nope\\.pem: no such file`));

    const bad = routes(`    url: https://users.internal\n    tls:\n      ca: ${junk}\n      cert: ${client.certFile}\n      key: ${other.keyFile}\n`);
    const r2 = await cli(['check', bad]);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(new RegExp(`${bad}:5:7 upstreams\\.users\\.tls\\.ca: the CA file .*junk\\.pem holds no PEM certificate`));
    expect(r2.err).toMatch(new RegExp(`${bad}:7:7 upstreams\\.users\\.tls\\.key: the key in .*other\\.key does not match the certificate in .*client\\.crt`));
  });

  it('refuses a client certificate without its key, tls on an http upstream, and a servername that is not a DNS name', async () => {
    const file = routes(`    url: http://users.internal\n    tls:\n      cert: ${client.certFile}\n      servername: "users internal"\n`);
    const r = await loadRoutesFile(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e]));
    expect(byPath['upstreams.users.tls.servername']).toMatchObject({ line: 6 });
    expect(byPath['upstreams.users.tls.cert']).toMatchObject({ line: 5, message: expect.stringContaining('needs its key') });
    // A rule reading a node with a schema error below it waits for that to be fixed: then it speaks.
    const fixed = routes(`    url: http://users.internal\n    tls:\n      cert: ${client.certFile}\n`);
    const r2 = await loadRoutesFile(fixed);
    expect(r2.ok).toBe(false);
    if (r2.ok) return;
    expect(r2.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'upstreams.users.tls.cert', line: 5, message: expect.stringContaining('needs its key') }),
        expect.objectContaining({ path: 'upstreams.users.tls', line: 4, message: expect.stringContaining('https upstreams only') }),
      ]),
    );
  });
});
