import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatConfigError, formatConfigErrors } from '../src/config/format.js';
import { loadConfigFile } from '../src/config/load.js';

const fixturePath = (name: string): string => fileURLToPath(new URL(`./fixtures/config/${name}`, import.meta.url));

describe('loadConfigFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strangler-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a file', async () => {
    const file = fixturePath('minimal.yaml');
    const r = await loadConfigFile(file, {});
    expect(r.ok).toBe(true);
    expect(r.file).toBe(file);
  });

  it('locates errors in the file it read', async () => {
    const file = join(dir, 'routes.yaml');
    await writeFile(file, 'upstreams:\n  a:\n    url: http://a\nroutes:\n  - prefix: /\n    upstream: b\n');
    const r = await loadConfigFile(file, {});
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([{ file, line: 6, column: 15, path: 'routes[0].upstream', message: "unknown upstream 'b' (known upstreams: a)" }]);
    }
  });

  it('uses the given env', async () => {
    const file = join(dir, 'env.yaml');
    await writeFile(file, 'upstreams:\n  a:\n    url: ${A_URL}\nroutes:\n  - prefix: /\n    upstream: a\n');
    const r = await loadConfigFile(file, { A_URL: 'http://a:1' });
    expect(r.ok && r.config.upstreams['a']?.url).toBe('http://a:1');
  });

  it('turns a missing file into one error at 1:1, not a throw', async () => {
    const file = join(dir, 'nope.yaml');
    await expect(loadConfigFile(file, {})).resolves.toEqual({
      ok: false,
      file,
      errors: [{ file, line: 1, column: 1, path: '', message: 'cannot read the config file: no such file' }],
    });
  });

  it('turns a directory into one error at 1:1', async () => {
    const r = await loadConfigFile(dir, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ file: dir, line: 1, column: 1, path: '', message: 'cannot read the config file: it is a directory' }]);
  });
});

describe('formatConfigError', () => {
  it('writes file:line:column path: message', () => {
    expect(formatConfigError({ file: 'routes.yaml', line: 12, column: 7, path: 'routes[2].retry.attempts', message: 'must be an integer >= 1 (got 0)' })).toBe(
      'routes.yaml:12:7 routes[2].retry.attempts: must be an integer >= 1 (got 0)',
    );
  });

  it('leaves the path out when it is empty', () => {
    expect(formatConfigError({ file: 'routes.yaml', line: 1, column: 1, path: '', message: "missing required key 'routes'" })).toBe(
      "routes.yaml:1:1 missing required key 'routes'",
    );
  });
});

describe('formatConfigErrors', () => {
  it('writes one error per line, sorted by line then column', () => {
    const e = (line: number, column: number, path: string): { file: string; line: number; column: number; path: string; message: string } => ({
      file: 'r.yaml',
      line,
      column,
      path,
      message: 'bad',
    });
    expect(formatConfigErrors([e(10, 2, 'c'), e(2, 9, 'b'), e(2, 3, 'a'), e(1, 1, '')])).toBe(
      ['r.yaml:1:1 bad', 'r.yaml:2:3 a: bad', 'r.yaml:2:9 b: bad', 'r.yaml:10:2 c: bad'].join('\n'),
    );
  });

  it('writes nothing for no errors', () => {
    expect(formatConfigErrors([])).toBe('');
  });
});
