// `record` is a route key like the others: its JSON paths (redactJson, our extension) are
// checked by the shadow's own parser with a line and a column, its values by the schema, and
// `strangler check` and `/routes` show it with its defaults and its file resolved against the
// routes file's folder.

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_DEFAULTS } from '../src/routing/defaults.js';
import { cli } from './helpers/cli.js';
import { startProxy, writeConfig, type TestProxy } from './helpers/servers.js';

const valid = `upstreams:
  legacy: { url: http://127.0.0.1:8000 }
routes:
  - prefix: /orders
    upstream: legacy
    record:
      file: ./capture/orders.jsonl
      redactJson: ["$.card.number"]
`;

let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('record in routes.yaml', () => {
  it('rejects a JSON path the recorder cannot parse, at its line and column', async () => {
    // routes[0].record.redactJson[1] is `$.a[`: line 8, column 37.
    const file = await writeConfig(valid.replace('redactJson: ["$.card.number"]', 'redactJson: ["$.card.number", "$.a["]'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${file}:8:37 routes\\[0\\]\\.record\\.redactJson\\[1\\]: invalid JSON path pattern: .*'\\$\\.a\\['`, 'm'));
  });

  it('rejects an unknown key and a percent over 100, each at its place', async () => {
    const file = await writeConfig(valid.replace('      redactJson: ["$.card.number"]\n', '      percent: 101\n      redactJosn: []\n'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${file}:8:16 routes\\[0\\]\\.record\\.percent: `, 'm'));
    expect(r.err).toMatch(/routes\[0\]\.record.*redactJosn/);
  });

  it('rejects a maxBodyBytes over 4 MiB (a recorded line must fit the queue, and its strings the heap)', async () => {
    const file = await writeConfig(valid.replace('      redactJson: ["$.card.number"]\n', '      maxBodyBytes: 500000000\n'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/routes\[0\]\.record\.maxBodyBytes: .*4194304/);
  });

  it('is shown by check and described by /routes with its defaults and its absolute file', async () => {
    const file = await writeConfig(valid);
    const abs = path.join(path.dirname(file), 'capture', 'orders.jsonl');
    const r = await cli(['check', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`record 100% of GET,HEAD to ${abs}`);
    proxy = await startProxy(valid);
    const routes = (await (await fetch(proxy.adminUrl + '/routes')).json()) as { routes: { record?: unknown }[] };
    expect(routes.routes[0]!.record).toEqual({
      file: path.join(path.dirname(proxy.file), 'capture', 'orders.jsonl'),
      percent: 100,
      methods: ['GET', 'HEAD'],
      maxBodyBytes: 262144,
      maxFileBytes: 104857600,
      maxConcurrent: 64,
      redactHeaders: ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'],
      redactJson: ['$.card.number'],
      redactQuery: [...RECORD_DEFAULTS.redactQuery],
    });
  });
});
