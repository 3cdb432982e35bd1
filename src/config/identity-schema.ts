// The schema of the identity keys: named authenticators (`auth:`), a route's `auth` and
// `rateLimit`, and `server.rateLimitStore`. Rules a schema cannot state (exactly one key source,
// algorithms that fit it, names that exist) are in identity-rules.ts.

import type { SchemaObject } from 'ajv';
import { HEADER_NAME_PATTERN } from './schema-patterns.js';

/** JWS algorithms a jwt authenticator may allow (`none` never). */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const obj = (properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
});
const int = (minimum: number): SchemaObject => ({ type: 'integer', minimum });
const headerName: SchemaObject = { type: 'string', pattern: HEADER_NAME_PATTERN, 'x-expected': 'a header name like x-user-id' };
const headerList: SchemaObject = { type: 'array', items: headerName, uniqueItems: true, 'x-expected': 'a list of header names, like [cookie, authorization]' };
const text: SchemaObject = { type: 'string', minLength: 1 };

const jwt = obj({
  jwksUrl: { type: 'string', pattern: '^https?://[^\\s]+$', 'x-expected': 'an http(s) URL of a JWKS, like https://idp.example.com/.well-known/jwks.json' },
  secret: { type: 'string', minLength: 32, 'x-expected': 'a shared secret of at least 32 characters (HS256 needs 256 bits), usually ${JWT_SECRET}' },
  publicKey: { type: 'string', minLength: 1, 'x-expected': 'a PEM file path' },
  issuer: text,
  audience: { anyOf: [text, { type: 'array', items: text, minItems: 1 }], 'x-expected': 'an audience or a list of them' },
  algorithms: {
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: { type: 'string', enum: [...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS] },
    'x-expected': 'a list of JWS algorithms, like [RS256, ES256]',
  },
  clockSkewMs: int(0),
  claimsToHeaders: {
    type: 'object',
    propertyNames: { type: 'string', minLength: 1 },
    additionalProperties: headerName,
    'x-expected': 'a mapping of claim names to header names, like { sub: x-user-id }',
  },
  jwksCacheMs: int(1000),
  timeoutMs: int(1),
});

const forward = obj(
  {
    upstream: { type: 'string', minLength: 1, 'x-expected': 'an upstream name' },
    path: { type: 'string', pattern: '^/[^\\s#]*$', 'x-expected': 'a path like /auth/whoami' },
    headers: headerList,
    copyHeaders: headerList,
    cacheMs: int(0),
    cacheKey: { type: 'string', enum: ['request', 'credential'], 'x-expected': 'request or credential' },
    timeoutMs: int(1),
    maxCacheEntries: int(1),
  },
  ['upstream', 'path'],
);

export const authenticators: SchemaObject = {
  type: 'object',
  propertyNames: { type: 'string', pattern: '^[a-z0-9-]+$', 'x-expected': "lowercase letters, digits and '-' only" },
  additionalProperties: {
    ...obj({ jwt, forward }),
    minProperties: 1,
    maxProperties: 1,
    'x-expected': 'one of { jwt: ... } or { forward: ... }',
  },
  'x-expected': 'a mapping of authenticator names to { jwt: ... } or { forward: ... }',
};

const authName: SchemaObject = { type: 'string', minLength: 1, 'x-expected': 'an authenticator name' };

export const routeAuth: SchemaObject = {
  anyOf: [authName, { type: 'array', items: authName, minItems: 1, uniqueItems: true }],
  'x-expected': 'an authenticator name or a list of them',
};

export const rateLimit = obj(
  {
    requestsPerSecond: { type: 'number', minimum: 0.001, 'x-expected': 'a number >= 0.001 (one request in about 17 minutes)' },
    burst: int(1),
    key: {
      type: 'string',
      pattern: `^(client-ip|header:${HEADER_NAME_PATTERN.slice(1, -1)}|claim:\\S+)$`,
      'x-expected': 'client-ip, header:NAME or claim:NAME',
    },
  },
  ['requestsPerSecond'],
);

export const rateLimitStore: SchemaObject = {
  type: 'string',
  pattern: '^rediss?://[^\\s]+$',
  'x-expected': 'a Redis URL, like redis://127.0.0.1:6379',
};
