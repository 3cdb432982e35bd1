// autocannon (CLI, as a child process so it can be pinned) when wrk is not installed.
import { createRequire } from 'node:module';
import type { LoadOptions, LoadResult, LoadRunner } from './load.js';
import { runCaptured } from './run-capture.js';

const require = createRequire(import.meta.url);

export function autocannonRunner(why: string): LoadRunner {
  const cli = require.resolve('autocannon/autocannon.js');
  const version = (require('autocannon/package.json') as { version: string }).version;
  return {
    name: `autocannon ${version} (1 process; ${why})`,
    async run(url: string, o: LoadOptions): Promise<LoadResult> {
      const args = [cli, '-c', String(o.connections), '-d', String(o.durationS), '-t', '10', '-n', '-j', url];
      const out = await runCaptured('autocannon', process.execPath, args, o.cpu, (o.durationS + 30) * 1000);
      return parseAutocannon(out);
    },
  };
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

export function parseAutocannon(out: string): LoadResult {
  const start = out.indexOf('{');
  if (start < 0) throw new Error(`cannot parse autocannon output:\n${out.slice(0, 500)}`);
  const j = JSON.parse(out.slice(start)) as AutocannonJson;
  return {
    rps: j.requests.average,
    p50Ms: j.latency.p50,
    p99Ms: j.latency.p99,
    requests: j.requests.total,
    errors: j.errors + j.timeouts,
    non2xx: j.non2xx,
  };
}
