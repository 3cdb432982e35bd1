// The validated shape of routes.yaml, as written by the user (defaults not yet merged).
// Immutable input: the routing compiler turns it into a RouteTable; nothing mutates it.

export type RetryOn = 'connect-error' | 'reset' | 'timeout' | number;

export interface ServerConfig {
  readonly port?: number;
  readonly host?: string;
  readonly adminPort?: number;
  readonly adminHost?: string;
  /** Host names the admin API answers besides loopback names and adminHost (DNS rebinding guard). */
  readonly adminAllowedHosts?: readonly string[];
  readonly drainTimeoutMs?: number;
  /** After SIGTERM: /readyz 503 at once, the public listener keeps accepting this long, then the drain. */
  readonly shutdownDelayMs?: number;
  /** Worker processes serving the public port (node:cluster); `auto`: one per core. Restart-only. */
  readonly workers?: number | 'auto';
  readonly trustedProxies?: number;
  readonly maxBufferBytes?: number;
  readonly escapedSlashes?: 'reject' | 'keep';
  readonly shadowLog?: string | null;
  // Extensions to the contract: node:http server limits, each with a documented default.
  readonly maxHeaderBytes?: number;
  readonly maxHeadersCount?: number;
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly keepAliveTimeoutMs?: number;
  /** The public port speaks HTTPS (paths relative to the routes file's folder). */
  readonly tls?: TlsConfig;
  /** With tls: offer h2 besides http/1.1 by ALPN (default true). */
  readonly http2?: boolean;
  /** HTTP/2 streams one connection may have open at once (default 100). */
  readonly maxConcurrentStreams?: number;
  /** `redis://` or `rediss://` URL: rate-limit buckets shared by every worker and replica. */
  readonly rateLimitStore?: string;
  /** OpenTelemetry spans exported over OTLP/HTTP (reloadable); absent: no tracing at all. */
  readonly tracing?: TracingConfig;
  /** The upstream the migration moves away from (the status's progress); default: the upstream named `legacy`. */
  readonly legacyUpstream?: string;
}

export interface TracingConfig {
  readonly otlpEndpoint: string;
  readonly protocol?: 'http/protobuf' | 'http/json';
  readonly sampleRatio?: number;
  readonly serviceName?: string;
}

export interface CertKeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface TlsConfig extends CertKeyPair {
  /** More certificates, chosen by SNI from their SAN DNS names. */
  readonly certificates?: readonly CertKeyPair[];
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface UpstreamConfig {
  readonly url: string;
  readonly connections?: number;
  readonly keepAliveMs?: number;
  readonly connectTimeoutMs?: number;
  /** For an https upstream (paths relative to the routes file's folder). */
  readonly tls?: UpstreamTlsConfig;
}

export interface UpstreamTlsConfig {
  /** Trust this CA (PEM, one or more certificates) besides the system's. */
  readonly ca?: string;
  /** A client certificate and its key (mTLS): both or neither. */
  readonly cert?: string;
  readonly key?: string;
  /** SNI, and the name the upstream's certificate must show (default: the URL's host name). */
  readonly servername?: string;
  /** Accept any certificate (logged as a warning at every load). */
  readonly insecureSkipVerify?: boolean;
}

export interface RetryConfig {
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly on?: readonly RetryOn[];
  readonly budgetPercent?: number;
}

export interface BreakerConfig {
  readonly consecutiveFailures?: number;
  readonly halfOpenAfterMs?: number;
}

export interface ShadowCompareConfig {
  readonly headers?: readonly string[];
  readonly ignore?: readonly string[];
  readonly unorderedArrays?: readonly string[];
  readonly ignoreText?: readonly string[];
  readonly numericTolerance?: number;
  readonly noiseProbe?: number;
}

export interface ShadowConfig {
  readonly upstream: string;
  readonly percent?: number;
  readonly methods?: readonly string[];
  readonly prefixRewrite?: string;
  readonly timeoutMs?: number;
  readonly maxConcurrent?: number;
  readonly compare?: ShadowCompareConfig;
}

export interface CanaryHaltConfig {
  readonly maxErrorRate: number;
  readonly minRequests: number;
  readonly windowMs: number;
}

/** The progressive canary's gates, checked over each step. */
export interface CanaryGatesConfig {
  readonly maxErrorRate?: number;
  readonly maxP99Ratio?: number;
  readonly minRequests?: number;
}

export interface CanaryConfig {
  readonly upstream: string;
  /** A fixed canary; a progressive one has `steps` instead (exactly one of the two). */
  readonly percent?: number;
  readonly stickyOn?: string; // "header:NAME" | "cookie:NAME"
  readonly forceHeader?: string;
  readonly halt?: CanaryHaltConfig;
  readonly steps?: readonly number[];
  readonly stepEveryMs?: number;
  readonly gates?: CanaryGatesConfig;
}

/** `fallback`'s long form; the short form `fallback: NAME` is `{ upstream: NAME }`. */
export interface FallbackConfig {
  readonly upstream: string;
  /** The methods sent to the fallback; default [GET, HEAD, OPTIONS] (see routing/effective.ts). */
  readonly methods?: readonly string[];
}

/** Keys allowed under `defaults:` and merged under every route (route keys win, key by key). */
export interface RouteDefaults {
  readonly timeoutMs?: number;
  /** Longest silence on a request or response body once it has started (0 = none). */
  readonly idleTimeoutMs?: number;
  readonly retry?: RetryConfig;
  readonly breaker?: BreakerConfig;
  readonly fallback?: string | FallbackConfig;
  readonly preserveHost?: boolean;
}

/** `auth:` entries: exactly one of `jwt` and `forward`. */
export interface AuthenticatorConfig {
  readonly jwt?: JwtAuthConfig;
  readonly forward?: ForwardAuthConfig;
}

export interface JwtAuthConfig {
  /** Exactly one of jwksUrl, secret (HS256...) and publicKey (a PEM file). */
  readonly jwksUrl?: string;
  readonly secret?: string;
  readonly publicKey?: string;
  readonly issuer?: string;
  readonly audience?: string | readonly string[];
  readonly algorithms?: readonly string[];
  readonly clockSkewMs?: number;
  readonly claimsToHeaders?: Readonly<Record<string, string>>;
  /** Extensions: how long a fetched JWKS is used (default 10 minutes), and the fetch's bound. */
  readonly jwksCacheMs?: number;
  readonly timeoutMs?: number;
}

export interface ForwardAuthConfig {
  readonly upstream: string;
  readonly path: string;
  readonly headers?: readonly string[];
  readonly copyHeaders?: readonly string[];
  readonly cacheMs?: number;
  /** Extension: what an answer is cached (and a call shared) per. `request` (default): the
   *  credential and the request it decided (method, host, URI, proto, client address), since the
   *  monolith is told them and may decide by them; `credential`: the credential alone, for a
   *  monolith that only says who the caller is. */
  readonly cacheKey?: 'request' | 'credential';
  readonly timeoutMs?: number;
  /** Extension: credentials whose answers are kept at once (least recently used dropped). */
  readonly maxCacheEntries?: number;
}

export interface RateLimitConfig {
  readonly requestsPerSecond: number;
  readonly burst?: number;
  /** `client-ip` (default), `header:NAME` or `claim:NAME`. */
  readonly key?: string;
}

export interface RouteConfig extends RouteDefaults {
  /** Exact host or `*.` + host (any case); absent: any host. */
  readonly host?: string;
  readonly prefix: string;
  readonly upstream: string;
  readonly methods?: readonly string[];
  readonly prefixRewrite?: string;
  readonly shadow?: ShadowConfig;
  readonly canary?: CanaryConfig;
  /** One authenticator's name or a list: the first that accepts wins. */
  readonly auth?: string | readonly string[];
  readonly rateLimit?: RateLimitConfig;
  /** Its exchanges written to a JSON-lines file (src/record/). */
  readonly record?: RecordConfig;
}

/** A route's `record`: which exchanges are written where (defaults in routing/defaults.ts). */
export interface RecordConfig {
  /** Relative to the routes file's folder. */
  readonly file: string;
  readonly percent?: number;
  readonly methods?: readonly string[];
  readonly maxBodyBytes?: number;
  readonly maxFileBytes?: number;
  /** Extension: at most this many of the route's exchanges recorded at once (the rest not recorded, `busy`). */
  readonly maxConcurrent?: number;
  readonly redactHeaders?: readonly string[];
  /** Extension: JSON paths whose values are recorded as "<redacted>". */
  readonly redactJson?: readonly string[];
  /** Extension: query parameters whose values are recorded as "<redacted>" (added to the defaults). */
  readonly redactQuery?: readonly string[];
}

export interface StranglerConfig {
  readonly server: ServerConfig;
  /** Named authenticators, for routes' `auth`. */
  readonly auth?: Readonly<Record<string, AuthenticatorConfig>>;
  readonly upstreams: Readonly<Record<string, UpstreamConfig>>;
  readonly defaults: RouteDefaults;
  readonly routes: readonly RouteConfig[];
}

/** One validation problem, located in the source file. line and column are 1-based. */
export interface ConfigError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** YAML path, e.g. `routes[2].retry.attempts`; empty string for the document root. */
  readonly path: string;
  /** What was expected, as a sentence fragment a person reads: "must be an integer >= 1 (got 0)". */
  readonly message: string;
}

export type LoadResult =
  | {
      readonly ok: true;
      readonly file: string;
      readonly config: StranglerConfig;
      /** Content hash of the validated config (after env expansion), 12 hex chars. */
      readonly version: string;
    }
  | { readonly ok: false; readonly file: string; readonly errors: readonly ConfigError[] };
