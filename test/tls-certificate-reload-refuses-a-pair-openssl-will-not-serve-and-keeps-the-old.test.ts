// A replacement pair that parses and matches but that OpenSSL will not serve (an RSA-512 key:
// tls.createSecureContext throws "ee key too small") is a rejected replacement like any bad file:
// the problem is logged, the previous certificate stays live, the process lives on, and the next
// good replacement is served. The tests wait for the watcher's log lines, never for a timer.
import { copyFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchCertificates } from '../src/edge/cert-watch.js';
import type { TlsMaterial } from '../src/edge/tls-server.js';
import { LOG } from '../src/observability/log-messages.js';
import { createStreamLogger } from '../src/observability/logger.js';
import { TestPki } from './helpers/pki.js';
import { serialOf, servedSerial, startReloadingProxy, type ReloadingProxy } from './helpers/tls-reload.js';
import type { TestProxy } from './helpers/servers.js';

describe('a certificate reload OpenSSL refuses', () => {
  const pki = new TestPki();
  const first = pki.issue({ names: ['localhost'], stem: 'first' });
  const second = pki.issue({ names: ['localhost'], stem: 'second' });
  const weak = pki.weakSelfSigned('localhost');
  let live: ReloadingProxy;
  let proxy: TestProxy;
  let certFile: string;
  let keyFile: string;

  beforeAll(async () => {
    live = await startReloadingProxy(pki, first);
    ({ proxy, certFile, keyFile } = live);
  });
  afterAll(async () => {
    await live.close();
    pki.cleanup();
  });

  it('logs the refusal, keeps the previous certificate live, then serves the next good pair', async () => {
    expect(await servedSerial(proxy.port, pki.ca)).toBe(serialOf(first.cert));
    writeFileSync(keyFile, weak.key);
    writeFileSync(certFile, weak.cert);
    const line = await proxy.logLine((l) => l.msg === LOG.tlsCertificateRejected);
    expect(line.level).toBe('error');
    expect(line.file).toBe(keyFile);
    expect(String(line.problem)).toContain('key too small');
    expect(await servedSerial(proxy.port, pki.ca)).toBe(serialOf(first.cert));

    writeFileSync(keyFile, second.key);
    writeFileSync(certFile, second.cert);
    await proxy.logLine((l) => l.msg === LOG.tlsCertificatesReloaded);
    expect(await servedSerial(proxy.port, pki.ca)).toBe(serialOf(second.cert));
  });
});

describe('the certificate watcher', () => {
  const pki = new TestPki();
  const first = pki.issue({ names: ['localhost'], stem: 'first' });
  const second = pki.issue({ names: ['localhost'], stem: 'second' });
  afterAll(() => pki.cleanup());

  it('logs a replacement the server fails to take as rejected, and goes on watching', async () => {
    const certFile = path.join(pki.dir, 'w.crt');
    const keyFile = path.join(pki.dir, 'w.key');
    copyFileSync(first.certFile, certFile);
    copyFileSync(first.keyFile, keyFile);
    const lines: Record<string, unknown>[] = [];
    let rejected: (line: Record<string, unknown>) => void = () => {};
    const logged = new Promise<Record<string, unknown>>((resolve) => (rejected = resolve));
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const text of chunk.toString().split('\n').filter((t) => t !== '')) {
          const line = JSON.parse(text) as Record<string, unknown>;
          lines.push(line);
          if (line.msg === LOG.tlsCertificateRejected) rejected(line);
        }
        cb();
      },
    });
    const taken: TlsMaterial[] = [];
    let tookSecond: () => void = () => {};
    const secondTaken = new Promise<void>((resolve) => (tookSecond = resolve));
    const stop = watchCertificates({
      tls: { cert: certFile, key: keyFile, certificates: [], minVersion: 'TLSv1.2' },
      logger: createStreamLogger('debug', sink),
      served: 'the fingerprint of what was there before',
      intervalMs: 5,
      onChange: (material) => {
        taken.push(material);
        if (material.main.cert.toString() === second.cert) return tookSecond();
        throw new Error('error:0A00018F:SSL routines::ee key too small');
      },
    });
    try {
      const line = await logged;
      expect(line).toMatchObject({ level: 'error', file: certFile, problem: 'ee key too small' });
      expect(lines.some((l) => l.msg === LOG.tlsCertificatesReloaded)).toBe(false);
      writeFileSync(keyFile, second.key);
      writeFileSync(certFile, second.cert);
      await secondTaken;
      expect(taken.map((m) => m.main.cert.toString())).toEqual([first.cert, second.cert]);
    } finally {
      stop();
    }
  });
});
