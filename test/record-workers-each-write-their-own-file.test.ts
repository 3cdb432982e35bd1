// --workers 2 (real processes, the built CLI): each worker writes its own recording file,
// `orders.w<slot>.jsonl`, so that two processes never interleave lines in, or rotate, one file.
// The names themselves are pure (file-names.ts). Nothing sleeps: the test waits for log lines,
// and for the proxy to exit (a worker writes out its queue when it stops).

import { freshGet } from './helpers/client.js';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';
import { logLines } from './helpers/log-lines.js';
import { recordedLines } from './helpers/recorded-lines.js';
import { LOG } from '../src/observability/log-messages.js';
import { highestRotation, rotatedFile, workerFile } from '../src/record/file-names.js';
import { workerSlot } from '../src/workers/messages.js';

describe('recording file names', () => {
  it('give each worker slot its own file and number rotated files upwards', () => {
    expect(workerFile('/c/orders.jsonl', null)).toBe('/c/orders.jsonl');
    expect(workerFile('/c/orders.jsonl', 1)).toBe('/c/orders.w1.jsonl');
    expect(workerFile('/c/orders', 0)).toBe('/c/orders.w0');
    expect(rotatedFile('/c/orders.jsonl', 3)).toBe('/c/orders.3.jsonl');
    expect(rotatedFile('/c/orders.w1.jsonl', 2)).toBe('/c/orders.w1.2.jsonl');
    expect(highestRotation('/c/orders.jsonl', ['orders.jsonl', 'orders.1.jsonl', 'orders.12.jsonl', 'orders.w1.jsonl', 'orders.w1.40.jsonl', 'other.99.jsonl'])).toBe(12);
    expect(highestRotation('/c/orders.w1.jsonl', ['orders.1.jsonl', 'orders.w1.40.jsonl'])).toBe(40);
    expect(workerSlot({ STRANGLER_WORKER_SLOT: '1' })).toBe(1);
    expect(workerSlot({})).toBeNull();
  });
});

describe('--workers 2 with record', () => {
  it('writes orders.w0.jsonl and orders.w1.jsonl, every exchange once', async () => {
    const up = await startUpstream((req, res) => res.end('ok ' + req.url));
    const file = await writeConfig(upstreamsYaml({ a: up.url }) + 'routes:\n  - prefix: /orders\n    upstream: a\n    record: { file: ./capture/orders.jsonl }\n');
    const child = spawnBuiltProxy(file, ['--workers', '2']);
    try {
      const log = logLines(child);
      const ready = await log.wait((l) => l.msg === LOG.listening);
      const url = `http://127.0.0.1:${ready.port as number}/orders`;
      const ids = Array.from({ length: 20 }, (_, i) => `w${i}`);
      for (const id of ids) expect((await freshGet(url, { 'x-request-id': id })).status).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      const dir = path.join(path.dirname(file), 'capture');
      expect((await readdir(dir)).sort()).toEqual(['orders.w0.jsonl', 'orders.w1.jsonl']);
      const w0 = await recordedLines(path.join(dir, 'orders.w0.jsonl'));
      const w1 = await recordedLines(path.join(dir, 'orders.w1.jsonl'));
      expect(w0.length).toBeGreaterThan(0);
      expect(w1.length).toBeGreaterThan(0);
      expect([...w0, ...w1].map((l) => l.id).sort()).toEqual([...ids].sort());
    } finally {
      child.kill('SIGKILL');
      await up.close();
    }
  });
});
