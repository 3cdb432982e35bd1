// The jwt authenticator (issue 13): `Authorization: Bearer <token>` verified with jose against a
// JWKS fetched over HTTP, a shared secret (HS*) or a PEM public key, with the authenticator's
// algorithm allow-list (never `none`), issuer, audience and clock skew; `exp` is required. A
// token without `kid` is tried with each key of its type in the JWKS. An accepted token's
// claims become the headers `claimsToHeaders` names (claim-headers.ts).
//
// The JWKS: jose's createRemoteJWKSet, cached for jwksCacheMs; a token whose `kid` is not in the
// cached set refetches it at most once every 10 s (jose's cooldown), so a rotated key is taken
// within seconds. Its fetch goes through undici, like all upstream HTTP, on an Agent of this
// authenticator's own (closed by close()). A JWKS that cannot be fetched, times out or is not a
// JWKS while a token was sent is `error` (503 auth_unavailable); no token never fetches anything.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions, type JWTVerifyResult } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { LOG } from '../observability/log-messages.js';
import type { Logger } from '../observability/logger.js';
import type { EffectiveJwt } from '../routing/types.js';
import type { Clock } from '../util/clock.js';
import { VerifiedTokens } from './verified-tokens.js';
import { claimHeaders } from './claim-headers.js';
import type { AuthDecision, AuthRequest, Authenticator } from './types.js';

export interface AuthDeps {
  readonly logger: Logger;
  readonly clock?: Clock;
}

const REALM = 'Bearer realm="strangler"';
const NONE: AuthDecision = { kind: 'none', challenge: REALM };
/** An unknown `kid` refetches the JWKS at most this often. */
const JWKS_COOLDOWN_MS = 10_000;
/** Accepted tokens remembered (verified-tokens.ts): a repeated token skips the signature check. */
const VERIFIED_TOKENS = 1_000;
/** After a failed JWKS fetch, requests needing it fail at once for this long. */
const FETCH_BACKOFF_MS = 1_000;
const BEARER = /^bearer(?:[ \t]+(.*))?$/i;
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** A failure of the key source itself (the JWKS fetch), not of the token: `error`, not `deny`. */
class KeySourceUnavailable extends Error {}

type KeySource = { readonly key: KeyObject | Uint8Array } | { readonly getKey: JWTVerifyGetKey; readonly agent: Agent } | { readonly broken: string };

export function createJwtAuthenticator(e: EffectiveJwt, deps: AuthDeps): Authenticator {
  const source = keySource(e, deps);
  const options = {
    algorithms: [...e.algorithms].filter((a) => a.toLowerCase() !== 'none'),
    ...(e.issuer === null ? {} : { issuer: e.issuer }),
    ...(e.audience === null ? {} : { audience: [...e.audience] }),
    clockTolerance: e.clockSkewMs / 1000,
    // A token without exp would be good forever: refused ("the exp claim is missing").
    requiredClaims: ['exp'],
  };
  const clock = deps.clock;
  // (Date.now read at each call, as jose reads it: a test's faked Date moves both.)
  const verified = new VerifiedTokens(VERIFIED_TOKENS, e.jwksCacheMs, e.clockSkewMs, clock ?? { now: () => Date.now() });
  return {
    name: e.name,
    writes: e.claimsToHeaders.map(([, h]) => h),
    async decide(req: AuthRequest): Promise<AuthDecision> {
      const header = req.header('authorization');
      if (header === null) return NONE;
      const m = BEARER.exec(header.trim());
      if (m === null) return NONE;
      const token = (m[1] ?? '').trim();
      if (!TOKEN.test(token)) return deny('the token is malformed');
      if ('broken' in source) return { kind: 'error', reason: source.broken };
      const known = verified.get(token);
      if (known !== undefined) return { kind: 'allow', headers: known.headers, claims: known.claims };
      try {
        const currentDate = clock === undefined ? {} : { currentDate: new Date(clock.now()) };
        const { payload } = 'key' in source
          ? await jwtVerify(token, source.key, { ...options, ...currentDate })
          : await verifyWithJwks(token, source.getKey, { ...options, ...currentDate });
        const accepted = { headers: claimHeaders(payload, e.claimsToHeaders), claims: payload };
        verified.add(token, accepted);
        return { kind: 'allow', ...accepted };
      } catch (err) {
        if (err instanceof KeySourceUnavailable) return { kind: 'error', reason: err.message };
        return deny(refusal(err));
      }
    },
    close(): void {
      verified.clear();
      if ('agent' in source) void source.agent.close().catch(() => {});
    },
  };
}

/** jwtVerify with a JWKS. A token without `kid` when the set holds several keys of its type:
 *  jose throws JWKSMultipleMatchingKeys, which iterates over those candidate keys; each is tried
 *  and the first whose signature verifies decides (its claims still checked: an expired token
 *  stays refused). None verifying: the signature does not verify. */
async function verifyWithJwks(token: string, getKey: JWTVerifyGetKey, options: JWTVerifyOptions): Promise<JWTVerifyResult> {
  try {
    return await jwtVerify(token, getKey, options);
  } catch (err) {
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
    for await (const key of err) {
      try {
        return await jwtVerify(token, key, options);
      } catch (e) {
        if (!(e instanceof errors.JWSSignatureVerificationFailed)) throw e;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function deny(description: string): AuthDecision {
  return { kind: 'deny', reason: description, challenge: `${REALM}, error="invalid_token", error_description="${quoteSafe(description)}"` };
}

/** A header quoted-string's content: printable ASCII without `"` or `\`, at most 120 chars. */
function quoteSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]|["\\]/g, "'").slice(0, 120);
}

/** Why jose refused a token, short (it becomes the challenge's error_description). */
function refusal(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'the token is not yet valid';
    if (err.claim === 'iat') return 'the token was issued in the future';
    return err.reason === 'missing' ? `the ${err.claim} claim is missing` : `the ${err.claim} claim is not accepted`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return 'no key matches the token';
  if (err instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not allowed";
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'the token is malformed';
  return 'the token is not accepted'; // a key of another type than its algorithm's, an unsupported algorithm...
}

function keySource(e: EffectiveJwt, deps: AuthDeps): KeySource {
  if (e.secret !== null) return { key: new TextEncoder().encode(e.secret) };
  if (e.publicKey !== null) {
    try {
      // Checked by `strangler check` (jwt-key-files.ts); a file changed since is an error per token.
      return { key: createPublicKey(readFileSync(e.publicKey)) };
    } catch (err) {
      const reason = `cannot read the public key ${e.publicKey}: ${err instanceof Error ? err.message : String(err)}`;
      deps.logger.error({ msg: LOG.jwtPublicKeyUnreadable, authenticator: e.name, reason });
      return { broken: reason };
    }
  }
  if (e.jwksUrl === null) return { broken: 'no key source' }; // the rules require exactly one
  const agent = new Agent({ connect: { timeout: e.timeoutMs }, keepAliveTimeout: 4_000 });
  const remote = createRemoteJWKSet(new URL(e.jwksUrl), {
    cacheMaxAge: e.jwksCacheMs,
    cooldownDuration: JWKS_COOLDOWN_MS,
    timeoutDuration: e.timeoutMs,
    // undici's fetch with this authenticator's Agent; its signature differs from the DOM fetch's
    // in types only.
    [customFetch]: ((url: string, init: Parameters<typeof undiciFetch>[1]) =>
      undiciFetch(url, { ...init, dispatcher: agent })) as unknown as typeof fetch,
  });
  let warned = 0;
  let failed = { at: -Infinity, reason: '' };
  const getKey: JWTVerifyGetKey = async (header, token) => {
    // A JWKS that just failed is not asked again for a second (unless a fresh set is cached):
    // during an IdP outage requests get their 503 at once instead of each waiting timeoutMs.
    if (!remote.fresh && Date.now() - failed.at < FETCH_BACKOFF_MS) throw new KeySourceUnavailable(failed.reason);
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      const reason = jwksProblem(err);
      const now = Date.now();
      failed = { at: now, reason };
      if (now - warned >= 1_000) { // one line a second at most
        warned = now;
        deps.logger.warn({ msg: LOG.jwksUnavailable, authenticator: e.name, jwksUrl: e.jwksUrl, reason });
      }
      throw new KeySourceUnavailable(reason);
    }
  };
  return { getKey, agent };
}

function jwksProblem(err: unknown): string {
  if (err instanceof errors.JWKSTimeout) return 'the JWKS request timed out';
  if (err instanceof errors.JWKSInvalid) return 'the JWKS answer is not a JSON Web Key Set';
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `the JWKS could not be fetched (${message}${cause})`;
}
