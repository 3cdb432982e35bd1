// server.legacyUpstream: the upstream the migration moves away from (GET /status's progress). It
// must name an upstream (reported at its value, with a did-you-mean); the table resolves it, or
// the upstream named `legacy`, or none.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { loadRoutes } from '../src/routing/source.js';
import { compileTable } from '../src/routing/compile.js';
import { UpstreamPools } from '../src/forward/pools.js';
import { Metrics } from '../src/observability/metrics.js';
import { createStreamLogger } from '../src/observability/logger.js';
import { legacyUpstreamOf } from '../src/status/table-input.js';
import { Writable } from 'node:stream';

const yaml = (server: string, names = ['monolith', 'users']): string =>
  `${server}upstreams:\n${names.map((n, i) => `  ${n}:\n    url: http://127.0.0.1:${8000 + i}\n`).join('')}routes:\n  - { prefix: /, upstream: ${names[0]} }\n`;

async function legacyOf(text: string): Promise<string | null> {
  const loaded = await loadRoutes(text, 'r.yaml', {});
  if (!loaded.ok) throw new Error('expected a valid config');
  const pools = new UpstreamPools();
  const logger = createStreamLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  try {
    return legacyUpstreamOf(compileTable(loaded, { pools, metrics: new Metrics(), logger }));
  } finally {
    await pools.close();
  }
}

describe('server.legacyUpstream', () => {
  it('must name an upstream, at its line and column, with a did-you-mean', () => {
    const r = parseConfig(yaml('server:\n  legacyUpstream: monolit\n'), 'r.yaml', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(({ line, column, path, message }) => ({ line, column, path, message }))).toEqual([
      { line: 2, column: 19, path: 'server.legacyUpstream', message: "unknown upstream 'monolit' (did you mean 'monolith'? known upstreams: monolith, users)" },
    ]);
  });

  it('must be a non-empty string', () => {
    const r = parseConfig(yaml('server:\n  legacyUpstream: ""\n'), 'r.yaml', {});
    expect(r.ok).toBe(false);
  });

  it('is the named upstream, else the one named legacy, else none', async () => {
    expect(await legacyOf(yaml('server:\n  legacyUpstream: monolith\n'))).toBe('monolith');
    expect(await legacyOf(yaml('', ['legacy', 'users']))).toBe('legacy');
    expect(await legacyOf(yaml(''))).toBeNull();
  });
});
