// A recording with many distinct paths whose varying part is not id-like (slugs, search terms,
// short codes) gives one endpoint template each. Replay keeps at most MAX_TEMPLATES_PER_ROUTE per
// route and tallies the rest as one "(other endpoints)" template, so the JUnit has a bounded number
// of test cases and the tallies a bounded size; the noise pass keeps compact hashes per distinct
// request (13 bytes a slot, at most two slots a request), not strings. Memory is measured (heap and array buffers after a
// full GC), never time.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { endpointTemplate } from '../src/replay/endpoint.js';
import { EndpointTallies, MAX_TEMPLATES_PER_ROUTE, OTHER_TEMPLATE } from '../src/replay/endpoints.js';
import { RequestHashes } from '../src/replay/request-hashes.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { cli } from './helpers/cli.js';
import { writeRecording } from './helpers/recording.js';
import { startUpstream } from './helpers/servers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Bytes held (JS heap and typed arrays) after a full collection. */
const held = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const MB = 1024 * 1024;
const event = (p: string, result: ShadowEvent['result'] = 'match'): ShadowEvent => ({ at: 'x', route: '/p', result, method: 'GET', path: p, primaryStatus: 200, shadowStatus: 200 });

describe('replay with many distinct paths', () => {
  it('writes at most MAX_TEMPLATES_PER_ROUTE + 1 test cases per route, the rest as "(other endpoints)"', async () => {
    const n = MAX_TEMPLATES_PER_ROUTE + 200;
    const file = await writeRecording(Array.from({ length: n }, (_, i) => ({ path: `/p/s-${i.toString(36)}x`, route: '/p', body: { ok: true } })));
    const c = await startUpstream((_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    try {
      const junit = path.join(path.dirname(file), 'junit.xml');
      const r = await cli(['replay', file, '--target', c.url, '--junit', junit]);
      expect(r.code).toBe(0);
      const xml = await readFile(junit, 'utf8');
      expect(xml.match(/<testcase /g)).toHaveLength(MAX_TEMPLATES_PER_ROUTE + 1);
      expect(xml).toContain(`<testcase name="${OTHER_TEMPLATE}" classname="/p">\n      <system-out>200 matched,`);
    } finally {
      await c.close();
    }
  });

  it('keeps the tallies bounded: 200,000 distinct templates hold about what 1,000 do', () => {
    const before = held();
    const t = new EndpointTallies();
    for (let i = 0; i < 200_000; i++) {
      const p = `/p/s-${i.toString(36)}x`;
      t.add(endpointTemplate('GET', p), event(p, i % 2 === 0 ? 'match' : 'mismatch'));
    }
    const list = t.list();
    const grew = held() - before;
    expect(list).toHaveLength(MAX_TEMPLATES_PER_ROUTE + 1);
    const other = list.find((x) => x.template === OTHER_TEMPLATE)!;
    expect(other.match + other.mismatch).toBe(200_000 - MAX_TEMPLATES_PER_ROUTE);
    // One template's tally is well under 1 KB; without the cap this is about 50 MB.
    expect(grew).toBeLessThan(4 * MB);
  });

  it('keeps the noise pass compact: 400,000 distinct requests in under 16 MB, and still finds the varying ones', () => {
    const before = held();
    const seen = new RequestHashes();
    for (let i = 0; i < 400_000; i++) seen.add(i * 7919, i, i % 1000);
    seen.add(7919 * 5, 5, 6); // request 5 answered otherwise the second time
    seen.add(7919 * 6, 6, 6); // request 6 answered alike
    const grew = held() - before;
    expect(seen.size).toBe(400_000);
    expect(seen.varying(7919 * 5, 5)).toBe(true);
    expect(seen.varying(7919 * 6, 6)).toBe(false);
    expect(seen.varying(1, 1)).toBe(false);
    // A Map of two base64 strings per request (the pass before) holds about 38 MB here.
    expect(grew).toBeLessThan(16 * MB);
  });
});
