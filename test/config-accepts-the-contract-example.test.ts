import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { LoadResult, StranglerConfig } from '../src/config/types.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/config/${name}`, import.meta.url)), 'utf8');

function configOf(r: LoadResult): StranglerConfig {
  if (!r.ok) throw new Error(`expected a valid config, got:\n${r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join('\n')}`);
  return r.config;
}

describe('the full example (every key of the contract)', () => {
  const result = parseConfig(fixture('valid-full.yaml'), 'valid-full.yaml', {});

  it('is valid, and reads as written (env defaults applied, nothing merged)', () => {
    expect(result.ok).toBe(true);
    expect(result.file).toBe('valid-full.yaml');
    expect(configOf(result)).toEqual({
      server: {
        port: 8080,
        host: '0.0.0.0',
        adminPort: 9901,
        adminHost: '127.0.0.1',
        drainTimeoutMs: 10000,
        trustedProxies: 0,
        maxBufferBytes: 1048576,
        escapedSlashes: 'reject',
        shadowLog: null,
        maxHeaderBytes: 16384,
        maxHeadersCount: 100,
        headersTimeoutMs: 60000,
        requestTimeoutMs: 300000,
        keepAliveTimeoutMs: 5000,
      },
      upstreams: {
        legacy: { url: 'http://127.0.0.1:8000' },
        users: { url: 'http://127.0.0.1:8001', connections: 128, keepAliveMs: 4000, connectTimeoutMs: 2000 },
        'users-next': { url: 'https://users-next.internal:8443/' },
      },
      defaults: {
        timeoutMs: 15000,
        retry: { attempts: 1 },
        breaker: { consecutiveFailures: 10, halfOpenAfterMs: 30000 },
        fallback: 'legacy',
        preserveHost: false,
      },
      routes: [
        {
          prefix: '/api/users',
          upstream: 'users',
          methods: ['GET', 'POST'],
          prefixRewrite: '/users',
          preserveHost: false,
          timeoutMs: 2000,
          retry: { attempts: 3, backoffMs: 25, maxBackoffMs: 250, on: ['connect-error', 'reset', 'timeout', 502, 503, 504], budgetPercent: 20 },
          breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10000 },
          fallback: 'legacy',
          shadow: {
            upstream: 'users-next',
            percent: 100,
            methods: ['GET', 'HEAD'],
            prefixRewrite: '/users',
            timeoutMs: 5000,
            maxConcurrent: 64,
            compare: {
              headers: ['content-type'],
              ignore: ['$.createdAt', '$.items[*].id'],
              unorderedArrays: ['$.tags'],
              numericTolerance: 0,
              noiseProbe: 0,
            },
          },
          canary: {
            upstream: 'users-next',
            percent: 10,
            stickyOn: 'header:x-user-id',
            forceHeader: 'x-canary',
            halt: { maxErrorRate: 0.05, minRequests: 50, windowMs: 60000 },
          },
        },
        { prefix: '/api/users', upstream: 'legacy', methods: ['DELETE'] },
        { prefix: '/', upstream: 'legacy' },
      ],
    });
  });

  it('carries a 12-hex-character version', () => {
    expect(result.ok && result.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('is deeply immutable', () => {
    const config = configOf(result);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.routes)).toBe(true);
    expect(Object.isFrozen(config.routes[0]?.retry?.on)).toBe(true);
    expect(Object.isFrozen(config.upstreams['users'])).toBe(true);
  });
});

describe('a minimal file', () => {
  it('gets server and defaults as empty mappings, and routes keep their own keys only', () => {
    const config = configOf(parseConfig(fixture('minimal.yaml'), 'minimal.yaml', {}));
    expect(config.server).toEqual({});
    expect(config.defaults).toEqual({});
    expect(config.routes).toEqual([{ prefix: '/', upstream: 'legacy' }]);
  });

  it('does not merge defaults into routes', () => {
    const text = fixture('minimal.yaml') + 'defaults:\n  timeoutMs: 500\n';
    const config = configOf(parseConfig(text, 'minimal.yaml', {}));
    expect(config.defaults).toEqual({ timeoutMs: 500 });
    expect(config.routes[0]).toEqual({ prefix: '/', upstream: 'legacy' });
  });

  it('accepts YAML anchors and aliases', () => {
    const text = [
      'upstreams:',
      '  legacy: { url: "http://127.0.0.1:8000" }',
      'routes:',
      '  - prefix: /a',
      '    upstream: legacy',
      '    retry: &careful { attempts: 3, on: [connect-error] }',
      '  - prefix: /b',
      '    upstream: legacy',
      '    retry: *careful',
    ].join('\n');
    const config = configOf(parseConfig(text, 'r.yaml', {}));
    expect(config.routes[1]?.retry).toEqual({ attempts: 3, on: ['connect-error'] });
    expect(config.routes[1]?.retry).not.toBe(config.routes[0]?.retry);
  });
});
