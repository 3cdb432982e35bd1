// The JSON Schema of routes.yaml (draft-07), and its compiled validator.
//
// Every object has `additionalProperties: false`, so a misspelt key is an error, not a silent
// no-op. `x-expected` is an annotation (declared as a vocabulary keyword, so ajv's strict mode
// accepts it): the phrase error messages use for what a value should be, where a bare pattern
// would read badly. Checks that a pattern cannot explain (route prefixes, upstream URLs) are
// formats backed by the functions in checks.ts. Cross-field rules (upstream names exist, no
// duplicate routes, ...) live in rules.ts.

import { Ajv, type ErrorObject, type SchemaObject } from 'ajv';
import { prefixProblem, rewriteProblem, upstreamUrlProblem } from './checks.js';
import { allowedHostProblem } from './host-checks.js';
import { hostProblem } from './host-syntax.js';
import { authenticators, rateLimit, rateLimitStore, routeAuth } from './identity-schema.js';
import { HEADER_NAME_PATTERN } from './schema-patterns.js';
import { tracingSchema } from './tracing-schema.js';
import { recordSchema } from './record-schema.js';

const int = (minimum?: number, maximum?: number): SchemaObject => ({
  type: 'integer',
  ...(minimum !== undefined ? { minimum } : {}),
  ...(maximum !== undefined ? { maximum } : {}),
});
const num = (minimum?: number, maximum?: number): SchemaObject => ({
  type: 'number',
  ...(minimum !== undefined ? { minimum } : {}),
  ...(maximum !== undefined ? { maximum } : {}),
});
const obj = (properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
});

export { HEADER_NAME_PATTERN };
export const UPSTREAM_NAME_PATTERN = '^[a-z0-9-]+$';
export const RETRY_ON_WORDS = ['connect-error', 'reset', 'timeout'] as const;

/** Formats: name -> problem finder (undefined = valid). */
export const formatChecks: Readonly<Record<string, (value: string) => string | undefined>> = {
  'route-prefix': prefixProblem,
  'path-rewrite': rewriteProblem,
  'upstream-url': upstreamUrlProblem,
  'admin-allowed-host': allowedHostProblem,
  'route-host': hostProblem,
};

const upstreamRef: SchemaObject = { type: 'string', minLength: 1, 'x-expected': 'an upstream name' };
const percent = num(0, 100);
const headerName: SchemaObject = { type: 'string', pattern: HEADER_NAME_PATTERN, 'x-expected': 'a header name like x-user-id' };
const jsonPath: SchemaObject = { type: 'string', pattern: '^\\$', 'x-expected': "a JSON path starting with '$', like $.items[*].id" };
const ignoreEntry: SchemaObject = { type: 'string', minLength: 1, 'x-expected': 'a JSON path like $.items[*].id or a CSS selector like input[name=csrf]' };
const textPattern: SchemaObject = { type: 'string', minLength: 1, 'x-expected': 'a regular expression' };
const methods: SchemaObject = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', pattern: '^[A-Z]+$', 'x-expected': 'an HTTP method in uppercase letters, like GET' },
  'x-expected': 'a non-empty list of HTTP methods, like [GET, POST]',
};
const tlsFile: SchemaObject = { type: 'string', minLength: 1, 'x-expected': 'a PEM file path' };
const DNS_NAME = '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';
const prefixRewrite: SchemaObject = { type: 'string', format: 'path-rewrite' };

// Short form `fallback: NAME`, or the long form; if/then/else (not anyOf) so that a mistake inside
// the long form is reported at its own key, not as "must be one of two forms".
const fallback: SchemaObject = {
  if: { type: 'object' },
  then: obj(
    {
      upstream: upstreamRef,
      methods, // any method a route may list (WebDAV's PROPFIND, PURGE...)
    },
    ['upstream'],
  ),
  else: upstreamRef,
};

const retry = obj({
  attempts: int(1, 10),
  backoffMs: int(0),
  maxBackoffMs: int(0),
  on: {
    type: 'array',
    items: { anyOf: [{ type: 'string', enum: [...RETRY_ON_WORDS] }, int(500, 599)] },
  },
  budgetPercent: percent,
});

const breaker = obj({ consecutiveFailures: int(1), halfOpenAfterMs: int(1) });

const compare = obj({
  headers: { type: 'array', items: headerName },
  ignore: { type: 'array', items: ignoreEntry },
  unorderedArrays: { type: 'array', items: jsonPath },
  ignoreText: { type: 'array', items: textPattern },
  numericTolerance: num(0),
  noiseProbe: percent,
});

const shadow = obj(
  {
    upstream: upstreamRef,
    percent,
    methods,
    prefixRewrite,
    timeoutMs: int(1),
    maxConcurrent: int(1),
    compare,
  },
  ['upstream'],
);

const canary = obj(
  {
    upstream: upstreamRef,
    percent,
    stickyOn: {
      type: 'string',
      pattern: "^(header|cookie):[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
      'x-expected': 'header:NAME or cookie:NAME',
    },
    forceHeader: headerName,
    halt: obj({ maxErrorRate: num(0, 1), minRequests: int(1), windowMs: int(1) }, ['maxErrorRate', 'minRequests', 'windowMs']),
    // The progressive canary (instead of percent; canary-rules.ts: one of the two, steps ascending).
    steps: { type: 'array', minItems: 1, items: { type: 'number', exclusiveMinimum: 0, maximum: 100, 'x-expected': 'a percentage above 0 and at most 100' } },
    stepEveryMs: int(1000),
    gates: obj({ maxErrorRate: num(0, 1), maxP99Ratio: { type: 'number', exclusiveMinimum: 0, 'x-expected': 'a number above 0' }, minRequests: int(1) }),
  },
  ['upstream'],
);

const defaultsProperties: Record<string, SchemaObject> = {
  timeoutMs: int(1),
  idleTimeoutMs: int(0),
  retry,
  breaker,
  fallback,
  preserveHost: { type: 'boolean' },
};

const route = obj(
  {
    host: { type: 'string', format: 'route-host' },
    prefix: { type: 'string', format: 'route-prefix' },
    upstream: upstreamRef,
    methods,
    prefixRewrite,
    ...defaultsProperties,
    shadow,
    canary,
    auth: routeAuth,
    rateLimit,
    record: recordSchema,
  },
  ['prefix', 'upstream'],
);

const server = obj({
  port: int(0, 65535),
  host: { type: 'string', minLength: 1 },
  adminPort: int(0, 65535),
  adminHost: { type: 'string', minLength: 1 },
  adminAllowedHosts: { type: 'array', items: { type: 'string', format: 'admin-allowed-host' }, 'x-expected': 'a list of host names, like [admin.internal]' },
  drainTimeoutMs: int(0),
  shutdownDelayMs: int(0),
  workers: { anyOf: [int(1), { type: 'string', enum: ['auto'] }], 'x-expected': 'an integer >= 1 or auto' },
  trustedProxies: int(0),
  maxBufferBytes: int(0, 16 * 1024 * 1024), // (a shadow compare parses a body at once on the event loop: ~1 s at 16 MiB)
  escapedSlashes: { type: 'string', enum: ['reject', 'keep'] },
  shadowLog: { type: ['string', 'null'] },
  maxHeaderBytes: int(1024, 1048576),
  maxHeadersCount: int(1, 10000),
  headersTimeoutMs: int(0),
  requestTimeoutMs: int(0),
  keepAliveTimeoutMs: int(0),
  tls: obj(
    {
      cert: tlsFile,
      key: tlsFile,
      certificates: { type: 'array', items: obj({ cert: tlsFile, key: tlsFile }, ['cert', 'key']), 'x-expected': 'a list of { cert: FILE, key: FILE }' },
      minVersion: { type: 'string', enum: ['TLSv1.2', 'TLSv1.3'] },
    },
    ['cert', 'key'],
  ),
  http2: { type: 'boolean' },
  maxConcurrentStreams: int(1, 10000),
  rateLimitStore,
  tracing: tracingSchema,
  legacyUpstream: { type: 'string', minLength: 1 },
});

const upstream = obj(
  {
    url: { type: 'string', format: 'upstream-url' },
    connections: int(1),
    keepAliveMs: int(0),
    connectTimeoutMs: int(1),
    tls: obj({
      ca: tlsFile,
      cert: tlsFile,
      key: tlsFile,
      servername: { type: 'string', pattern: DNS_NAME, 'x-expected': 'a DNS name, like users.internal' },
      insecureSkipVerify: { type: 'boolean' },
    }),
  },
  ['url'],
);

export const configSchema: SchemaObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'strangler routes.yaml',
  ...obj(
    {
      server,
      upstreams: {
        type: 'object',
        minProperties: 1,
        propertyNames: {
          type: 'string',
          pattern: UPSTREAM_NAME_PATTERN,
          'x-expected': "lowercase letters, digits and '-' only",
        },
        additionalProperties: upstream,
        'x-expected': 'a mapping of upstream names to { url: ... }, with at least one upstream',
      },
      auth: authenticators,
      defaults: obj(defaultsProperties),
      routes: {
        type: 'array',
        minItems: 1,
        items: route,
        'x-expected': 'a non-empty list of routes',
      },
    },
    ['upstreams', 'routes'],
  ),
};

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });
ajv.addVocabulary(['x-expected']);
for (const [name, check] of Object.entries(formatChecks)) {
  ajv.addFormat(name, { type: 'string', validate: (s: string) => check(s) === undefined });
}

const validate = ajv.compile(configSchema);

/** Validates parsed, expanded data against the schema; returns ajv's errors (empty = valid). */
export function validateAgainstSchema(data: unknown): readonly ErrorObject[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
