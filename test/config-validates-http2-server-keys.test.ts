import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { LoadResult } from '../src/config/types.js';
import { SERVER_DEFAULTS } from '../src/routing/defaults.js';

const head = 'upstreams:\n  legacy:\n    url: http://127.0.0.1:8000\n';

function only(r: LoadResult): string {
  if (r.ok) return 'ok';
  expect(r.errors, JSON.stringify(r.errors)).toHaveLength(1);
  return `${r.errors[0]!.path}: ${r.errors[0]!.message}`;
}

const server = (extra: string): string => only(parseConfig(`server: { ${extra} }\n${head}routes:\n  - { prefix: /, upstream: legacy }\n`, 'r.yaml', {}));

describe('server.http2 and server.maxConcurrentStreams', () => {
  it.each([
    ['http2: false', 'ok'],
    ['http2: true', 'ok'],
    ['http2: yes-please', "server.http2: must be true or false (got 'yes-please')"],
    ['maxConcurrentStreams: 1', 'ok'],
    ['maxConcurrentStreams: 0', 'server.maxConcurrentStreams: must be an integer between 1 and 10000 (got 0)'],
    ['maxConcurrentStreams: 2.5', 'server.maxConcurrentStreams: must be an integer between 1 and 10000 (got 2.5)'],
  ])('%s -> %s', (yaml, expected) => {
    expect(server(yaml)).toBe(expected);
  });

  it('defaults to h2 offered and 100 streams', () => {
    expect(SERVER_DEFAULTS.http2).toBe(true);
    expect(SERVER_DEFAULTS.maxConcurrentStreams).toBe(100);
  });
});
