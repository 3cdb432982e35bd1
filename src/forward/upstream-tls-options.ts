// An https upstream's tls material as the options of the TLS connections its pool opens.
// `ca` adds to the CAs Node trusts by default (tls.getCACertificates('default') where Node has it,
// which includes NODE_EXTRA_CA_CERTS; Node 20: the bundled roots) instead of replacing them.

import tls from 'node:tls';
import { buildConnector } from 'undici';
import type { UpstreamTlsMaterial } from '../routing/upstream-tls.js';

type CaList = (string | Buffer)[];
const defaultCas = (): CaList => {
  const get = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  return typeof get === 'function' ? get('default') : [...tls.rootCertificates];
};

/**
 * The connector of an https upstream's pool. undici takes a request's SNI name from its Host
 * header, and with preserveHost that is the client's public name: the upstream would be asked for
 * (and checked against) the wrong certificate, and every change of Host between two requests
 * would drop the connection. The name sent and checked is the upstream's own: `tls.servername`,
 * else the URL's host name (none for an IP address: its certificate is checked against the IP).
 */
export function httpsConnector(m: UpstreamTlsMaterial | undefined, connectTimeoutMs: number): buildConnector.connector {
  const base = buildConnector({ ...(m === undefined ? {} : tlsConnectOptions(m)), timeout: connectTimeoutMs } as buildConnector.BuildOptions);
  return (opts, callback) => base({ ...opts, servername: undefined } as unknown as buildConnector.Options, callback);
}

/** The SNI name every request to this https upstream carries (constant, so undici never reconnects for it). */
export function requestServername(url: URL, m: UpstreamTlsMaterial | undefined): string {
  return m?.servername ?? url.hostname.replace(/^\[|\]$/g, '');
}

function tlsConnectOptions(m: UpstreamTlsMaterial): tls.ConnectionOptions {
  return {
    ...(m.ca === null ? {} : { ca: [...defaultCas(), m.ca] }),
    ...(m.cert === null || m.key === null ? {} : { cert: m.cert, key: m.key }),
    ...(m.servername === null ? {} : { servername: m.servername }),
    ...(m.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
  };
}
