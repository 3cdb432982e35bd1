// `strangler serve` tunes V8 from inside the process (src/util/v8-flags.ts): pretenuring off, a
// larger inlining budget, and, on a single CPU, young collections without helper threads. V8 was
// started already, so a flag it does not know is only a line on stderr, and some flags switched
// after start-up crash it later (the concurrent marker did, within seconds). Here: the flags chosen
// per CPU count, every name known to the Node running the tests (20 or 24), the built proxy on one
// CPU (all of them set) serving thousands of requests and stopping cleanly, and pretenuring off
// taking effect.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { INLINING_BUDGET, v8FlagsFor } from '../src/util/v8-flags.js';
import { LOG } from '../src/observability/log-messages.js';
import { startUpstream, writeConfig, type Upstream } from './helpers/servers.js';
import { logLines } from './helpers/log-lines.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';

let upstream: Upstream | undefined;
let pool: Pool | undefined;
afterEach(async () => {
  await pool?.close();
  await upstream?.close();
  pool = upstream = undefined;
});

const REQUESTS = 6_000;
const BODY = Buffer.alloc(2_000, 'x');

/** An upstream answering BODY, and a config sending everything to it. */
async function appConfig(): Promise<string> {
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(BODY.length) });
    res.end(BODY);
  });
  return writeConfig(`upstreams:\n  app: { url: "${upstream.url}" }\nroutes:\n  - prefix: /\n    upstream: app\n`);
}

/** REQUESTS GETs through the proxy on `port`, `connections` at a time, each answered 200 with BODY. */
async function sendAll(port: number, connections: number): Promise<number> {
  pool = new Pool(`http://127.0.0.1:${port}`, { connections });
  let answered = 0;
  const worker = async (): Promise<void> => {
    while (answered < REQUESTS) {
      answered++;
      const r = await pool!.request({ method: 'GET', path: '/items' });
      expect(r.statusCode).toBe(200);
      expect((await r.body.text()).length).toBe(BODY.length);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return answered;
}

it('chooses the collector threads by the CPUs the process may run on, the rest always', () => {
  const always = ['--no-allocation-site-pretenuring', `--max-inlined-bytecode-size-cumulative=${INLINING_BUDGET}`];
  expect(v8FlagsFor(1)).toEqual([...always, '--no-parallel-scavenge']);
  expect(v8FlagsFor(2)).toEqual(always);
  expect(v8FlagsFor(64)).toEqual(always);
});

it('sets only flags this Node knows', () => {
  const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
  const known = new Set([...options.matchAll(/^\s+--([a-z0-9-]+) \(/gm)].map((m) => m[1]));
  expect(known.size).toBeGreaterThan(100); // (the listing was read)
  const names = v8FlagsFor(1).map((f) => f.replace(/^--(no-)?/, '').replace(/=.*$/, ''));
  expect(names.filter((n) => !known.has(n))).toEqual([]);
});

it('serves on a single CPU with them set, through thousands of requests, and V8 says nothing', async () => {
  // One CPU as taskset gives it (util-linux, in every Debian): the serve path sets all the flags.
  expect(spawnSync('taskset', ['--version']).status, 'taskset (util-linux) is needed').toBe(0);
  const cpus = spawnSync('taskset', ['-c', '0', process.execPath, '-p', 'require("node:os").availableParallelism()'], { encoding: 'utf8' }).stdout.trim();
  expect(cpus).toBe('1'); // (what tuneV8 reads: the one-CPU flags are among those set)
  const config = await appConfig();
  const main = path.resolve('dist/src/main.js');
  const child = spawn('taskset', ['-c', '0', process.execPath, main, '--config', config, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const up = await logLines(child).wait((l) => l.msg === LOG.listening);
    await sendAll(up.port as number, 8);
    child.kill('SIGTERM');
    expect(await exited).toBe(0); // (a V8 check that failed would have aborted it: SIGABRT, no code)
    expect(stderr).toBe('');
  } finally {
    child.kill('SIGKILL');
  }
});

// Pretenuring off takes effect: with it on, the request path's literals are judged at young
// collections from the first few hundred requests on, and V8's own trace (--trace-pretenuring)
// prints those decisions; here none once the proxy listens.
it('makes no pretenuring decision once it listens, under a few thousand proxied requests', async () => {
  const config = await appConfig();
  const child = spawnBuiltProxy(config, [], ['--trace-pretenuring', '--trace-pretenuring-statistics']);
  // V8's trace and the JSON log share stdout: the decisions counted are those after "listening".
  const decisions: string[] = [];
  const port = await new Promise<number>((resolve) => {
    let listening = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (listening) {
        if (line.includes('pretenuring:')) decisions.push(line);
      } else if (line.includes('"msg":"listening"')) {
        listening = true;
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
  });
  const answered = await sendAll(port, 16);
  const stopped = new Promise((resolve) => child.once('close', resolve)); // (stdout read to its end)
  child.kill('SIGTERM');
  await stopped;
  expect(answered).toBeGreaterThanOrEqual(REQUESTS);
  expect(decisions).toEqual([]);
});
