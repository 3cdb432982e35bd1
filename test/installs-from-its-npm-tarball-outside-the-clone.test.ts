// Issue 11, finding 7: `npx strangler` worked only inside a clone (npm's `strangler` is an
// unrelated package). The package is `strangler-proxy`; its bin stays `strangler`. Packed and
// installed into an empty folder, both `npx strangler` and `npx strangler-proxy` run it there.
// Needs the npm registry for the tarball's dependencies (npm's cache from `npm ci` is used first).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const pkg = (await import('../package.json', { with: { type: 'json' } })).default as { name: string; version: string };

describe('the npm tarball, installed outside the clone', () => {
  let dir = '';
  let app = '';
  let packed: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strangler-pack-'));
    app = join(dir, 'app');
    // dist/ is built by `npm test` before vitest runs; --ignore-scripts skips a second build.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repo });
    packed = (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'))!;
    await run('mkdir', [app]);
    await writeFile(join(app, 'package.json'), '{"name":"someone-elses-app","private":true}\n');
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], { cwd: app, timeout: 150_000 });
  }, 180_000);

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('is published under a name of its own, with the strangler bin and only the built code', () => {
    expect(pkg.name).toBe('strangler-proxy');
    expect(packed).toContain('dist/src/main.js');
    expect(packed.filter((p) => p.startsWith('test/') || p.startsWith('src/'))).toEqual([]);
  });

  it('runs as `npx strangler` and as `npx strangler-proxy` in a folder that is not the clone', async () => {
    for (const name of ['strangler', 'strangler-proxy']) {
      const { stdout } = await run('npx', ['--no-install', name, '--version'], { cwd: app });
      expect(stdout.trim()).toBe(`strangler ${pkg.version}`);
    }
  }, 60_000);

  it('runs the patched undici the clone runs (patches/: the crash fix, 100 Continue), bundled in the package', async () => {
    // Not bundled, the install took undici from the registry, unpatched: a 502 for every POST
    // to an upstream that sends 100 Continue, and an AssertionError that kills the proxy.
    const { stdout } = await run('node', ['--input-type=module', '-e',
      "import { createRequire } from 'node:module'; const r = createRequire(import.meta.resolve('strangler-proxy/package.json')); console.log(r.resolve('undici'))"], { cwd: app });
    const used = stdout.trim();
    expect(used).toContain(join('node_modules', 'strangler-proxy', 'node_modules', 'undici'));
    const source = await readFile(join(dirname(used), 'lib', 'dispatcher', 'client-h1.js'), 'utf8');
    expect(source).toContain('strangler patch (patches/undici+7.30.2.patch)');
  }, 60_000);

  it('checks a routes.yaml there', async () => {
    await writeFile(join(app, 'routes.yaml'), 'upstreams:\n  legacy: { url: "http://127.0.0.1:8000" }\nroutes:\n  - prefix: /\n    upstream: legacy\n');
    const { stdout } = await run('npx', ['--no-install', 'strangler', 'check', 'routes.yaml'], { cwd: app });
    expect(stdout).toContain('routes.yaml: valid');
  }, 60_000);
});
