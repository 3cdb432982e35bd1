// `strangler --version`, `check`, `report`, `status` and `replay` run in CI jobs and pre-commit
// hooks: each loads only its own code, never the proxy's (OpenTelemetry, ioredis, express, jose,
// pino, prom-client, the cluster workers, the server). The built CLI runs in a child process with
// a module-resolve hook (--import) that writes down every module the process loads, so what is
// asserted is what a real `strangler ...` loads, dynamic imports included.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'dist/src/main.js');
const DEMO_ROUTES = path.join(ROOT, 'routes.yaml');

/** What none of these commands may load: the serving proxy's packages and code. */
const PROXY_ONLY = [/node_modules\/@opentelemetry\//, /node_modules\/ioredis\//, /node_modules\/express\//, /node_modules\/jose\//, /node_modules\/pino\//, /node_modules\/prom-client\//, /node_modules\/cockatiel\//, /^node:cluster$/, /dist\/src\/workers\/(?!count\.js)/, /dist\/src\/cli\/serve\.js/, /dist\/src\/(bootstrap|edge\/server|admin\/app)\.js/];

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-loads-'));
  await writeFile(path.join(dir, 'hooks.mjs'), "import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(process.env.LOADED_MODULES_FILE, r.url + '\\n');\n  return r;\n}\n");
  await writeFile(path.join(dir, 'record.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let runs = 0;

/** Runs the built CLI; returns its exit code, its output and every module URL (or node: builtin) it loaded. */
async function loadedBy(args: string[]): Promise<{ code: number | null; out: string; modules: string[] }> {
  const file = path.join(dir, `loaded-${++runs}.txt`);
  await writeFile(file, '');
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(dir, 'record.mjs')).href, MAIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, LOADED_MODULES_FILE: file },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const modules = [...new Set((await readFile(file, 'utf8')).split('\n').filter((l) => l !== ''))];
  return { code, out, modules };
}

function proxyModules(modules: string[]): string[] {
  return modules.filter((m) => PROXY_ONLY.some((re) => re.test(m)));
}

const loads = (modules: string[], pkg: string): boolean => modules.some((m) => m.includes(`/node_modules/${pkg}/`));

describe('each CLI command loads only what it needs', () => {
  it('--version and --help load nothing but the argument parser', async () => {
    for (const flag of ['--version', '--help']) {
      const run = await loadedBy([flag]);
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/^strangler/);
      expect(run.modules.filter((m) => m.includes('/dist/src/')).map((m) => m.replace(/.*\/dist\/src\//, '')).sort()).toEqual(['cli/args.js', 'cli/parse-args-message.js', 'cli/replay-args.js', 'cli/run.js', 'main.js', 'util/suggest.js', 'workers/count.js']);
      expect(run.modules.filter((m) => m.includes('/node_modules/'))).toEqual([]);
    }
  });

  it("check validates the demo's routes.yaml with the config and routing code only", async () => {
    const run = await loadedBy(['check', DEMO_ROUTES]);
    expect(run.code).toBe(0);
    expect(loads(run.modules, 'yaml') && loads(run.modules, 'ajv')).toBe(true); // the recorder sees packages
    expect(proxyModules(run.modules)).toEqual([]);
  });

  it('a replay usage error loads nothing of the replay; a replay loads undici, the config code only with --config, never the proxy', async () => {
    const usage = await loadedBy(['replay']);
    expect(usage.code).toBe(2);
    expect(usage.modules.some((m) => m.includes('/dist/src/replay/'))).toBe(false);
    expect(usage.modules.filter((m) => m.includes('/node_modules/'))).toEqual([]);

    const recording = path.join(dir, 'empty-recording.jsonl');
    await writeFile(recording, '');
    const run = await loadedBy(['replay', recording, '--target', 'http://127.0.0.1:1']);
    expect(run.out).toContain('replay of');
    expect(loads(run.modules, 'undici')).toBe(true);
    expect(proxyModules(run.modules)).toEqual([]);
    expect(loads(run.modules, 'yaml') || loads(run.modules, 'ajv')).toBe(false); // no --config: no config code

    const withConfig = await loadedBy(['replay', recording, '--target', 'http://127.0.0.1:1', '--config', DEMO_ROUTES]);
    expect(withConfig.out).toContain('replay of');
    expect(loads(withConfig.modules, 'yaml') && loads(withConfig.modules, 'ajv')).toBe(true);
    expect(proxyModules(withConfig.modules)).toEqual([]);
  });

  it('report and status load neither the proxy nor the config code', async () => {
    const report = await loadedBy(['report', '--file', path.join(dir, 'no-such-shadow.jsonl')]);
    const status = await loadedBy(['status', '--admin', 'http://127.0.0.1:1']);
    for (const run of [report, status]) {
      expect(run.code).toBe(1);
      expect(run.modules.some((m) => m.includes('/dist/src/cli/'))).toBe(true);
      expect(proxyModules(run.modules)).toEqual([]);
      expect(run.modules.filter((m) => m.includes('/dist/src/config/') || m.includes('/node_modules/yaml/') || m.includes('/node_modules/ajv/'))).toEqual([]);
    }
  });

  it('serve, for contrast, loads the proxy', async () => {
    // An invalid config stops serve before it listens, after its modules are loaded.
    const bad = path.join(dir, 'bad-routes.yaml');
    await writeFile(bad, 'version: 2\nroutes: nope\n');
    const run = await loadedBy(['--config', bad, '--port', '0', '--admin-port', '0']);
    expect(run.code).toBe(1);
    expect(loads(run.modules, 'express') && loads(run.modules, 'ioredis') && run.modules.includes('node:cluster')).toBe(true);
  });
});
