// server.tls's files are checked at validation: a missing file, a file that is not PEM, a key
// that is not its certificate's, are errors at the YAML position of their key, reported by
// `strangler check` like every other. Relative paths are relative to the routes file's folder.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoutesFile } from '../src/routing/source.js';
import { cli } from './helpers/cli.js';
import { TestPki } from './helpers/pki.js';

const tail = 'upstreams:\n  a: { url: http://127.0.0.1:8000 }\nroutes:\n  - { prefix: /, upstream: a }\n';

describe('strangler check: server.tls files', () => {
  const pki = new TestPki();
  const good = pki.issue({ names: ['localhost'] });
  const other = pki.issue({ names: ['other.test'] });
  const routes = (yaml: string): string => {
    const file = path.join(pki.dir, `routes-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml + tail);
    return file;
  };
  afterAll(() => pki.cleanup());

  it('accepts good files given relative to the routes file, and resolves them there', async () => {
    copyFileSync(good.certFile, path.join(pki.dir, 'rel.crt'));
    copyFileSync(good.keyFile, path.join(pki.dir, 'rel.key'));
    const file = routes('server:\n  tls:\n    cert: rel.crt\n    key: ./rel.key\n');
    const r = await loadRoutesFile(file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.effective.server.tls).toEqual({ cert: path.join(pki.dir, 'rel.crt'), key: path.join(pki.dir, 'rel.key'), certificates: [], minVersion: 'TLSv1.2' });
    expect(r.effective.server.http2).toBe(true);
    expect((await cli(['check', file])).code).toBe(0);
  });

  it('reports a missing file and a mismatched key at the line and column of their keys', async () => {
    const file = routes(
      'server:\n  tls:\n' +
        `    cert: ${path.join(pki.dir, 'missing.crt')}\n` + // line 3, key at column 5
        `    key: ${good.keyFile}\n` +
        '    certificates:\n' +
        `      - { cert: ${other.certFile}, key: ${good.keyFile} }\n`, // line 6: key at column 37 + path
    );
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`${file}:3:5 server\\.tls\\.cert: cannot read the certificate file .*missing\\.crt: no such file`));
    const keyColumn = `      - { cert: ${other.certFile}, `.length + 1;
    expect(r.err).toMatch(new RegExp(`${file}:6:${keyColumn} server\\.tls\\.certificates\\[0\\]\\.key: the key in .* does not match the certificate in .*other\\.test\\.crt`));
    expect(r.err).toContain('2 error(s)');
  });

  it('reports a file that is not PEM', async () => {
    const junk = path.join(pki.dir, 'junk.pem');
    writeFileSync(junk, 'hello\n');
    const r = await loadRoutesFile(routes(`server:\n  tls: { cert: ${good.certFile}, key: ${junk} }\n`));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([expect.objectContaining({ line: 2, path: 'server.tls.key', message: expect.stringContaining('is not a PEM private key') })]);
  });

  it('reports a pair OpenSSL will not serve (an RSA-512 key) at its key, so the proxy never starts with it', async () => {
    const weak = pki.weakSelfSigned('localhost');
    const r = await loadRoutesFile(routes(`server:\n  tls: { cert: ${weak.certFile}, key: ${weak.keyFile} }\n`));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([expect.objectContaining({ line: 2, path: 'server.tls.key', message: expect.stringContaining('cannot serve TLS (ee key too small)') })]);
  });

  it('refuses unknown keys and a minVersion other than TLSv1.2 or TLSv1.3', async () => {
    const r = await loadRoutesFile(routes(`server:\n  tls: { cert: ${good.certFile}, key: ${good.keyFile}, minVersion: TLSv1.1, ca: x }\n`));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('server.tls.minVersion');
    expect(r.errors.some((e) => /ca/.test(e.message))).toBe(true);
  });
});

describe('strangler check: the files a file with other errors names', () => {
  it('reports the ones that cannot be read in the same round as the other errors (all errors at once)', async () => {
    const dir = new TestPki();
    try {
      const key = dir.issue({ names: ['localhost'] }).keyFile;
      const file = path.join(dir.dir, 'routes.yaml');
      writeFileSync(
        file,
        'server:\n  tls:\n    cert: ./missing.crt\n' + // line 3: relative to the routes file's folder
          `    key: ${key}\n` +
          'upstreams:\n  a: { url: http://127.0.0.1:8000 }\n' +
          '  b: { url: https://127.0.0.1:8443, tls: { ca: ./no-ca.pem } }\n' + // line 7
          'auth:\n  jwt-users:\n    jwt: { publicKey: ./no-key.pem, issuer: x, audience: y }\n' + // line 10
          'routes:\n  - { prefix: /, upstream: nowhere }\n', // line 12: the structural error
      );
      const r = await loadRoutesFile(file);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.errors.map((e) => `${e.line} ${e.path}: ${e.message.replace(dir.dir, 'DIR')}`)).toEqual([
        '3 server.tls.cert: cannot read the certificate file DIR/missing.crt: no such file',
        '7 upstreams.b.tls.ca: cannot read the CA file DIR/no-ca.pem: no such file',
        '10 auth.jwt-users.jwt.publicKey: cannot read the public key file DIR/no-key.pem: no such file',
        "12 routes[0].upstream: unknown upstream 'nowhere' (known upstreams: a, b)",
      ]);
    } finally {
      dir.cleanup();
    }
  });
});
