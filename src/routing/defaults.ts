// Built-in defaults: what a key means when routes.yaml leaves it out. The README lists them.

import type { CertKeyPair, RetryOn } from '../config/types.js';

/** server.tls with its paths made absolute (against the routes file's folder) and defaults set. */
export interface ResolvedTls {
  readonly cert: string;
  readonly key: string;
  readonly certificates: readonly CertKeyPair[];
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
}

export const TLS_DEFAULTS = { minVersion: 'TLSv1.2' as const };

export const SERVER_DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  adminPort: 9901,
  adminHost: '127.0.0.1',
  adminAllowedHosts: [] as readonly string[],
  drainTimeoutMs: 10_000,
  shutdownDelayMs: 0,
  workers: 1 as number | 'auto',
  trustedProxies: 0,
  maxBufferBytes: 1_048_576,
  escapedSlashes: 'reject' as 'reject' | 'keep',
  shadowLog: null as string | null,
  maxHeaderBytes: 16_384,
  maxHeadersCount: 100,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 0,
  keepAliveTimeoutMs: 5_000,
  tls: null as ResolvedTls | null,
  http2: true,
  maxConcurrentStreams: 100,
  rateLimitStore: null as string | null,
  tracing: null as ResolvedTracing | null,
  /** As written; null: the upstream named `legacy` if there is one (status/legacy.ts). */
  legacyUpstream: null as string | null,
};

/** server.tracing with its defaults set. */
export interface ResolvedTracing {
  readonly otlpEndpoint: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly sampleRatio: number;
  readonly serviceName: string;
}

export const TRACING_DEFAULTS = { protocol: 'http/protobuf' as const, sampleRatio: 1, serviceName: 'strangler' };

export type ResolvedServer = typeof SERVER_DEFAULTS;

export const UPSTREAM_DEFAULTS = {
  connections: 128,
  keepAliveMs: 4_000,
  connectTimeoutMs: 2_000,
};

export const ROUTE_DEFAULTS = {
  timeoutMs: 15_000,
  idleTimeoutMs: 60_000,
  preserveHost: true,
};

/** The methods a short-form `fallback: NAME` takes (reads: after a cutover, a write that falls
 *  back would land in the monolith's store). A canary's fallback to its own primary takes every
 *  method instead, the replay-safety rule (policies/replay.ts) still deciding each request. */
export const FALLBACK_DEFAULT_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

export const RETRY_DEFAULTS = {
  attempts: 1,
  backoffMs: 25,
  maxBackoffMs: 250,
  on: ['connect-error', 'reset', 'timeout', 502, 503, 504] as readonly RetryOn[],
  budgetPercent: 20,
};

export const BREAKER_DEFAULTS = {
  consecutiveFailures: 5,
  halfOpenAfterMs: 10_000,
};

export const SHADOW_DEFAULTS = {
  percent: 100,
  methods: ['GET', 'HEAD'] as readonly string[],
  timeoutMs: 5_000,
  maxConcurrent: 64,
};

/** A progressive canary's gates (canary.gates), checked over each step. */
export const CANARY_GATE_DEFAULTS = {
  maxErrorRate: 0.01,
  maxP99Ratio: 1.5,
  minRequests: 100,
};

export const RECORD_DEFAULTS = {
  percent: 100,
  methods: ['GET', 'HEAD'] as readonly string[],
  maxBodyBytes: 262_144,
  maxFileBytes: 104_857_600,
  maxConcurrent: 64,
  redactHeaders: ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'] as readonly string[],
  redactJson: [] as readonly string[],
  /** Always redacted (a route's list adds to them). */
  redactQuery: ['access_token', 'id_token', 'refresh_token', 'token', 'api_key', 'apikey', 'key', 'password', 'secret', 'client_secret', 'signature', 'sig', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token'] as readonly string[],
};

export const COMPARE_DEFAULTS = {
  headers: ['content-type'] as readonly string[],
  ignore: [] as readonly string[],
  unorderedArrays: [] as readonly string[],
  ignoreText: [] as readonly string[],
  numericTolerance: 0,
  noiseProbe: 0,
};

export const JWT_DEFAULTS = {
  clockSkewMs: 30_000,
  jwksCacheMs: 600_000,
  timeoutMs: 2_000,
  /** With a secret; with a JWKS or a public key: ASYMMETRIC. */
  hmacAlgorithms: ['HS256'] as readonly string[],
  asymmetricAlgorithms: ['RS256', 'ES256'] as readonly string[],
};

export const FORWARD_AUTH_DEFAULTS = {
  headers: ['cookie', 'authorization'] as readonly string[],
  copyHeaders: [] as readonly string[],
  cacheMs: 5_000,
  cacheKey: 'request' as 'request' | 'credential',
  timeoutMs: 1_000,
  maxCacheEntries: 10_000,
};
