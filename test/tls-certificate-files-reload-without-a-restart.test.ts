// server.tls's files are watched: a good replacement is served to new handshakes, a bad one keeps
// the previous certificate live and logs every problem. The tests wait for the log line the
// watcher writes, never for a timer (the poll interval is injected, short).
import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { TestPki } from './helpers/pki.js';
import { serialOf, servedSerial, startReloadingProxy, type ReloadingProxy } from './helpers/tls-reload.js';
import type { TestProxy } from './helpers/servers.js';

describe('certificate files reload without a restart', () => {
  const pki = new TestPki();
  const first = pki.issue({ names: ['localhost'], stem: 'first' });
  const second = pki.issue({ names: ['localhost'], stem: 'second' });
  const third = pki.issue({ names: ['localhost'], stem: 'third' });
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

  it('serves a replaced certificate and key to new handshakes, and logs it', async () => {
    const before = await servedSerial(proxy.port, pki.ca);
    expect(before).toBe(serialOf(first.cert));
    writeFileSync(keyFile, second.key);
    writeFileSync(certFile, second.cert);
    await proxy.logLine((l) => l.msg === LOG.tlsCertificatesReloaded);
    expect(await servedSerial(proxy.port, pki.ca)).toBe(serialOf(second.cert));
  });

  it('keeps the previous certificate live when the replacement key does not match, logging the problem', async () => {
    const live = await servedSerial(proxy.port, pki.ca);
    writeFileSync(keyFile, third.key); // the certificate stays second's: a mismatch
    const line = await proxy.logLine((l) => l.msg === LOG.tlsCertificateRejected && l.file === keyFile);
    expect(line.level).toBe('error');
    expect(String(line.problem)).toContain('does not match the certificate');
    expect(await servedSerial(proxy.port, pki.ca)).toBe(live);
  });

  it('keeps the previous certificate live when the certificate file is not PEM, logging the problem', async () => {
    const live = await servedSerial(proxy.port, pki.ca);
    writeFileSync(certFile, 'not a certificate\n');
    const line = await proxy.logLine((l) => l.msg === LOG.tlsCertificateRejected && l.file === certFile);
    expect(String(line.problem)).toContain('is not a PEM certificate');
    expect(await servedSerial(proxy.port, pki.ca)).toBe(live);
  });

  it('logs a restart-needed warning when a reload changes server.tls paths', async () => {
    const text = await readFile(proxy.file, 'utf8');
    await writeFile(proxy.file, text.replace(`cert: ${certFile}, key: ${keyFile}`, `cert: ${third.certFile}, key: ${third.keyFile}`));
    const outcome = await proxy.proxy.reload('admin');
    expect(outcome).toMatchObject({ result: 'success', restartNeeded: ['server.tls'] }); // (POST /reload answers it)
    const line = await proxy.logLine((l) => l.msg === LOG.restartNeeded);
    expect(line.keys).toEqual(['server.tls']);
  });
});
