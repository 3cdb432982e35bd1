import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { configVersion } from '../src/config/version.js';
import { canonicalJson } from '../src/util/canonical-json.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/config/${name}`, import.meta.url)), 'utf8');

function versionOf(text: string, env: Record<string, string> = {}): string {
  const r = parseConfig(text, 'r.yaml', env);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.version;
}

const full = fixture('valid-full.yaml');

describe('config version', () => {
  it('is stable for the same file', () => {
    expect(versionOf(full)).toBe(versionOf(full));
  });

  it('ignores comments, blank lines, quoting, layout and key order', () => {
    const edited = ('# a new comment\n\n' + full)
      .replace('  port: 8080', '  port: 8080   # the public port')
      .replace('  host: 0.0.0.0', '  host: "0.0.0.0"')
      .replace('  retry: { attempts: 1 }', '  retry:\n    attempts: 1')
      .replace('  - prefix: /\n    upstream: legacy\n', '  - upstream: legacy\n    prefix: /\n');
    expect(edited).not.toBe(full);
    expect(versionOf(edited)).toBe(versionOf(full));
  });

  it('changes when a value changes', () => {
    expect(versionOf(full.replace('attempts: 3', 'attempts: 4'))).not.toBe(versionOf(full));
  });

  it('changes when route order changes (order is meaning for the file, even if matching ignores it)', () => {
    const a = fixture('minimal.yaml') + '  - prefix: /a\n    upstream: legacy\n';
    const b = fixture('minimal.yaml').replace('  - prefix: /\n', '  - prefix: /a\n    upstream: legacy\n  - prefix: /\n');
    expect(versionOf(a)).not.toBe(versionOf(b));
  });

  it('follows the expanded values, not the text', () => {
    expect(versionOf(full, { LEGACY_URL: 'http://127.0.0.1:8000' })).toBe(versionOf(full));
    expect(versionOf(full, { LEGACY_URL: 'http://127.0.0.1:9000' })).not.toBe(versionOf(full));
  });

  it('does not depend on whether empty server/defaults are written', () => {
    const minimal = fixture('minimal.yaml');
    expect(versionOf('server: {}\ndefaults: {}\n' + minimal)).toBe(versionOf(minimal));
  });

  it('is the first 12 hex characters of sha256 over the canonical JSON', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }] })).toBe('{"a":[{"c":"x","d":null}],"b":1}');
    // sha256('{"a":1}') = 015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862
    expect(configVersion({ a: 1 })).toBe('015abd7f5cc5');
  });
});
