// The shipped routes.yaml carries a commented canary example the README's quick start tells a
// new user to put in place of /users. It must pass validation as it is: an example sticky on
// X-User-Id (a header the demo's authenticator writes, removed from every client request) was
// refused by check once check learned that, and had never been sticky anyway.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';

const shipped = readFileSync(new URL('../routes.yaml', import.meta.url), 'utf8');

/** The commented route that starts with `#   - prefix: /users` under the canary comment, uncommented. */
function canaryExample(): string {
  const lines = shipped.split('\n');
  const start = lines.findIndex((l, i) => l === '  # - prefix: /users' && (lines[i + 1] ?? '').includes('upstream: legacy'));
  expect(start).toBeGreaterThan(-1);
  const out: string[] = [];
  for (let i = start; i < lines.length && lines[i]!.startsWith('  # '); i++) out.push('  ' + lines[i]!.slice(4));
  return out.join('\n');
}

describe('the commented canary example in routes.yaml', () => {
  it('is valid in place of the /users route', () => {
    const example = canaryExample();
    expect(example).toContain('canary:');
    const withExample = shipped.replace('\nroutes:\n', `\nroutes:\n${example.replace('prefix: /users', 'prefix: /users-canary-example')}\n`);
    const r = parseConfig(withExample, 'routes.yaml', { ...process.env });
    expect(r.ok ? [] : r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`)).toEqual([]);
  });
});
