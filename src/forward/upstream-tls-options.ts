// An https upstream's tls material as the options of the TLS connections its pool opens.
// `ca` adds to the CAs Node trusts by default (tls.getCACertificates('default') where Node has it,
// which includes NODE_EXTRA_CA_CERTS; Node 20: the bundled roots) instead of replacing them.

import tls from 'node:tls';
import type { UpstreamTlsMaterial } from '../routing/upstream-tls.js';

type CaList = (string | Buffer)[];
const defaultCas = (): CaList => {
  const get = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  return typeof get === 'function' ? get('default') : [...tls.rootCertificates];
};

export function tlsConnectOptions(m: UpstreamTlsMaterial): tls.ConnectionOptions {
  return {
    ...(m.ca === null ? {} : { ca: [...defaultCas(), m.ca] }),
    ...(m.cert === null || m.key === null ? {} : { cert: m.cert, key: m.key }),
    ...(m.servername === null ? {} : { servername: m.servername }),
    ...(m.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
  };
}
