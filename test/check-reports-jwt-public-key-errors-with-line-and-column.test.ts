// A jwt authenticator's publicKey file is checked at validation like server.tls's files: a file
// that cannot be read or is not a PEM public key is an error at the line and column of its key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoutesFile } from '../src/routing/source.js';
import { cli } from './helpers/cli.js';
import { testKey } from './helpers/jwks.js';

const dir = mkdtempSync(path.join(tmpdir(), 'strangler-jwt-check-'));
const tail = 'upstreams:\n  a: { url: http://127.0.0.1:8000 }\nroutes:\n  - { prefix: /, upstream: a, auth: idp }\n';
const routes = (key: string): string => {
  const file = path.join(dir, `routes-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `auth:\n  idp:\n    jwt:\n      publicKey: ${key}\n` + tail);
  return file;
};

describe('strangler check: auth.NAME.jwt.publicKey', () => {
  it('accepts a PEM public key, relative to the routes file', async () => {
    writeFileSync(path.join(dir, 'good.pem'), (await testKey('ES256')).spki);
    const file = routes('good.pem');
    const r = await loadRoutesFile(file);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.effective.auth.get('idp')).toMatchObject({ publicKey: path.join(dir, 'good.pem') });
    expect((await cli(['check', file])).code).toBe(0);
  });

  it('reports a missing file at the line and column of its key', async () => {
    const file = routes('./missing.pem');
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`${file}:4:7 auth\\.idp\\.jwt\\.publicKey: cannot read the public key file .*missing\\.pem: no such file`));
  });

  it('reports a file that is not a PEM public key', async () => {
    writeFileSync(path.join(dir, 'junk.pem'), 'hello\n');
    writeFileSync(path.join(dir, 'bad.pem'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    for (const name of ['junk.pem', 'bad.pem']) {
      const r = await loadRoutesFile(routes(name));
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.errors).toEqual([expect.objectContaining({ line: 4, path: 'auth.idp.jwt.publicKey', message: expect.stringContaining('is not a PEM public key') })]);
    }
  });
});
