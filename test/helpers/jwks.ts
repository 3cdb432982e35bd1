// Keys, tokens and a JWKS server for the jwt authenticator's tests: keys generated with jose, a
// JWKS endpoint on 127.0.0.1 port 0 that counts its requests and can switch keys or go down.

import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';
import { startUpstream, type Upstream } from './servers.js';

export interface TestKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey | KeyObject;
  readonly publicKey: CryptoKey | KeyObject;
  readonly jwk: JWK;
  readonly spki: string;
}

let n = 0;
export async function testKey(alg: 'RS256' | 'ES256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${++n}`;
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, spki: await exportSPKI(publicKey) };
}

export const ISSUER = 'https://idp.test/';
export const AUDIENCE = 'strangler';

/** A token signed with `key`: sub alice, the test issuer and audience, valid for an hour, unless
 *  `claims` says otherwise (undefined removes a claim). */
export async function sign(key: TestKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600, ...claims };
  for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export interface JwksServer extends Upstream {
  /** Requests the JWKS endpoint answered so far. */
  readonly hits: () => number;
  /** The keys it serves from now on. */
  serve(keys: readonly TestKey[]): void;
  /** 'ok', 'down' (500), 'junk' (a JSON document that is not a JWKS) or 'stall' (never answers). */
  mode(m: 'ok' | 'down' | 'junk' | 'stall'): void;
}

export async function startJwks(keys: readonly TestKey[]): Promise<JwksServer> {
  let served = keys;
  let mode: 'ok' | 'down' | 'junk' | 'stall' = 'ok';
  let hits = 0;
  const up = await startUpstream((_req, res) => {
    hits++;
    if (mode === 'stall') return;
    if (mode === 'down') return void res.writeHead(500).end('down');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(mode === 'junk' ? { hello: 'world' } : { keys: served.map((k) => k.jwk) }));
  });
  return Object.assign(up, { hits: () => hits, serve: (k: readonly TestKey[]) => void (served = k), mode: (m: typeof mode) => void (mode = m) });
}

/** An upstream that answers with the request headers it received, as JSON. */
export async function startEcho(): Promise<Upstream> {
  return startUpstream((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.headers));
  });
}

/** GET through the proxy with a bearer token (or none) and other headers. */
export async function get(url: string, token: string | null, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: { ...headers, ...(token === null ? {} : { authorization: `Bearer ${token}` }) } });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, headers: res.headers, body };
}

/** A counter's value in the admin's /metrics for these labels (0 when absent). */
export async function metric(adminUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** routes.yaml with an `idp` jwt authenticator on `jwksUrl` (the test issuer and audience), its
 *  `extraJwt` lines (indented keys), and /api on `echoUrl` behind it; `extraRoutes` appended. */
export function jwtProxyYaml(jwksUrl: string, echoUrl: string, claimsToHeaders: string, extraJwt = '', extraRoutes = ''): string {
  return `
auth:
  idp:
    jwt:
      jwksUrl: ${jwksUrl}
      issuer: ${ISSUER}
      audience: ${AUDIENCE}
${extraJwt}      claimsToHeaders: ${claimsToHeaders}
upstreams:
  echo: { url: "${echoUrl}" }
routes:
  - { prefix: /api, upstream: echo, auth: idp }
${extraRoutes}`;
}
