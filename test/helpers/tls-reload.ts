// For the certificate reload tests: a proxy on HTTPS whose certificate and key are live files
// (a copy of `first`), watched every 20 ms, and the serial number each new handshake is served.
import { X509Certificate } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { once } from 'node:events';
import type { IssuedCert, TestPki } from './pki.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy } from './servers.js';

export const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

export async function servedSerial(port: number, ca: string): Promise<string> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  await once(socket, 'secureConnect');
  const serial = socket.getPeerCertificate().serialNumber;
  socket.destroy();
  return serial;
}

export interface ReloadingProxy {
  readonly proxy: TestProxy;
  readonly certFile: string;
  readonly keyFile: string;
  close(): Promise<void>;
}

export async function startReloadingProxy(pki: TestPki, first: IssuedCert): Promise<ReloadingProxy> {
  const certFile = path.join(pki.dir, 'live.crt');
  const keyFile = path.join(pki.dir, 'live.key');
  copyFileSync(first.certFile, certFile);
  copyFileSync(first.keyFile, keyFile);
  const upstream = await startUpstream((_req, res) => res.end('ok'));
  const proxy = await startProxy(
    `server:\n  tls: { cert: ${certFile}, key: ${keyFile} }\n` + upstreamsYaml({ app: upstream.url }) + 'routes:\n  - { prefix: /, upstream: app }\n',
    { certPollMs: 20 },
  );
  return {
    proxy,
    certFile,
    keyFile,
    close: async () => {
      await proxy.close();
      await upstream.close();
    },
  };
}
