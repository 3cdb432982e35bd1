// The certificate watcher reads server.tls's files every second, but parses and checks them (an
// X.509 parse, a key parse and a TLS context built: ~3 ms of CPU) only when their bytes are new:
// unchanged files cost a read and a hash per poll, nothing more. A replacement is still checked,
// once, and served. The test counts the watcher's reads and checks; it waits for them, never for
// a timer.
import { copyFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { checkTlsFiles, readTlsFiles, watchCertificates, type TlsFiles } from '../src/edge/cert-watch.js';
import type { TlsMaterial } from '../src/edge/tls-server.js';
import { createStreamLogger } from '../src/observability/logger.js';
import { TestPki } from './helpers/pki.js';

const pki = new TestPki();
const first = pki.issue({ names: ['localhost'], stem: 'first' });
const second = pki.issue({ names: ['localhost'], stem: 'second' });
afterAll(() => pki.cleanup());

/** Resolves once `n` more calls have been counted. */
class Counter {
  count = 0;
  #waits: { at: number; resolve: () => void }[] = [];
  tick(): void {
    this.count++;
    this.#waits = this.#waits.filter((w) => (w.at <= this.count ? (w.resolve(), false) : true));
  }
  more(n: number): Promise<void> {
    return new Promise((resolve) => this.#waits.push({ at: this.count + n, resolve }));
  }
}

it('reads unchanged files on every poll without checking them, and checks a replacement once', async () => {
  const certFile = path.join(pki.dir, 'c.crt');
  const keyFile = path.join(pki.dir, 'c.key');
  copyFileSync(first.certFile, certFile);
  copyFileSync(first.keyFile, keyFile);
  const tls = { cert: certFile, key: keyFile, certificates: [], minVersion: 'TLSv1.2' as const };
  const served = (await readTlsFiles(tls)).fingerprint;

  const reads = new Counter();
  const checks = new Counter();
  const taken: TlsMaterial[] = [];
  let tookSecond: () => void = () => {};
  const secondTaken = new Promise<void>((resolve) => (tookSecond = resolve));
  const stop = watchCertificates({
    tls,
    logger: createStreamLogger('debug', new Writable({ write: (_c, _e, cb) => cb() })),
    served,
    intervalMs: 2,
    read: async (t) => {
      const files = await readTlsFiles(t);
      reads.tick();
      return files;
    },
    check: (files: TlsFiles) => {
      checks.tick();
      return checkTlsFiles(files);
    },
    onChange: (material) => {
      taken.push(material);
      tookSecond();
    },
  });
  try {
    await reads.more(10);
    expect(checks.count).toBe(0);

    writeFileSync(keyFile, second.key);
    writeFileSync(certFile, second.cert);
    await secondTaken;
    await reads.more(10); // (the new bytes, now served, are not checked again)
    expect(checks.count).toBe(1);
    expect(taken.map((m) => m.main.cert.toString())).toEqual([second.cert]);
  } finally {
    stop();
  }
});
