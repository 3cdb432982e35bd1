import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandString } from '../src/config/expand-env.js';
import { parseConfig } from '../src/config/load.js';
import type { ConfigError, LoadResult, StranglerConfig } from '../src/config/types.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/config/${name}`, import.meta.url)), 'utf8');

function configOf(r: LoadResult): StranglerConfig {
  if (!r.ok) throw new Error(`expected a valid config, got:\n${r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join('\n')}`);
  return r.config;
}
function errorsOf(r: LoadResult): { line: number; column: number; path: string; message: string }[] {
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.errors.map(({ line, column, path, message }: ConfigError) => ({ line, column, path, message }));
}

const base = 'upstreams:\n  legacy:\n    url: http://127.0.0.1:8000\nroutes:\n  - prefix: /\n    upstream: legacy\n';

describe('expandString', () => {
  const env = { A: 'alpha', EMPTY: '', PORT: '8080' };

  it('replaces ${VAR} with its value, anywhere in the text, as many times as written', () => {
    expect(expandString('http://${A}:${PORT}/${A}', env)).toEqual({ value: 'http://alpha:8080/alpha', expanded: true, errors: [] });
  });

  it('uses the default of ${VAR:-default} when VAR is unset or empty, as the shell does', () => {
    expect(expandString('${NOPE:-x}', env).value).toBe('x');
    expect(expandString('${EMPTY:-x}', env).value).toBe('x');
    expect(expandString('${A:-x}', env).value).toBe('alpha');
    expect(expandString('${NOPE:-}', env).value).toBe('');
  });

  it('keeps the empty value of a set variable without default', () => {
    expect(expandString('[${EMPTY}]', env)).toEqual({ value: '[]', expanded: true, errors: [] });
  });

  it('expands a default lazily, and may nest', () => {
    expect(expandString('${NOPE:-${A}}', env).value).toBe('alpha');
    expect(expandString('${NOPE:-${ALSO_NOPE:-deep}}', env).value).toBe('deep');
    expect(expandString('${A:-${UNSET_BUT_UNUSED}}', env)).toEqual({ value: 'alpha', expanded: true, errors: [] });
  });

  it('reads $$ as a literal $, and leaves any other $ alone', () => {
    expect(expandString('$${A}', env)).toEqual({ value: '${A}', expanded: false, errors: [] });
    expect(expandString('cost: $$5 and $5 and $.items[*].id', env).value).toBe('cost: $5 and $5 and $.items[*].id');
    expect(expandString('$$$${A}', env).value).toBe('$${A}');
    expect(expandString('$$${A}', env).value).toBe('$alpha');
  });

  it('reports an unset variable without default', () => {
    expect(expandString('x${LEGACY_URL}y', env).errors).toEqual(['environment variable LEGACY_URL is not set and has no default']);
  });

  it('reports malformed expressions', () => {
    expect(expandString('${1A}', env).errors).toEqual(["invalid variable name in '${1A}' (expected ${NAME} or ${NAME:-default})"]);
    expect(expandString('${A', env).errors).toEqual(["unclosed '${A' (missing '}')"]);
    expect(expandString('${A:-oops', env).errors).toEqual(["unclosed '${A:-...' (missing '}')"]);
    expect(expandString('${A-x}', env).errors).toEqual(["invalid expression '${A-x}' (expected ${NAME} or ${NAME:-default})"]);
    expect(expandString('${', env).errors).toEqual(["unclosed '${' (write '$${' for a literal '${')"]);
  });
});

describe('parseConfig expands environment variables', () => {
  const env = { ADMIN_PORT: '9901', USERS_HOST: 'users.internal', PRESERVE_HOST: 'true' };

  it('in every string value, with the documented coercions', () => {
    const config = configOf(parseConfig(fixture('env.yaml'), 'env.yaml', env));
    expect(config.server).toEqual({ port: 8080, adminPort: 9901, shadowLog: null });
    expect(config.upstreams).toEqual({
      legacy: { url: 'http://127.0.0.1:8000' },
      users: { url: 'http://users.internal:8001' },
    });
    expect(config.defaults).toEqual({ preserveHost: true, retry: { on: [502, 'reset'] } });
    expect(config.routes[0]?.shadow?.compare?.ignore).toEqual(['$.createdAt', "$['${NOT_A_VAR}']"]);
  });

  it('takes values from the env argument, not only defaults', () => {
    const config = configOf(
      parseConfig(fixture('env.yaml'), 'env.yaml', { ...env, PORT: '0', LEGACY_URL: 'https://legacy:443', SHADOW_LOG: '/tmp/shadow.jsonl', RETRY_ON: 'timeout' }),
    );
    expect(config.server.port).toBe(0);
    expect(config.server.shadowLog).toBe('/tmp/shadow.jsonl');
    expect(config.upstreams['legacy']?.url).toBe('https://legacy:443');
    expect(config.defaults.retry?.on).toEqual(['timeout', 'reset']);
  });

  it('reports each unset variable at its value, and nothing else about that value', () => {
    expect(errorsOf(parseConfig(fixture('env.yaml'), 'env.yaml', {}))).toEqual([
      { line: 3, column: 14, path: 'server.adminPort', message: 'environment variable ADMIN_PORT is not set and has no default' },
      { line: 9, column: 10, path: 'upstreams.users.url', message: 'environment variable USERS_HOST is not set and has no default' },
    ]);
  });

  it('does not read process.env when an env is given', () => {
    process.env['STRANGLER_TEST_ONLY_VAR'] = '1234';
    try {
      const text = 'server:\n  port: ${STRANGLER_TEST_ONLY_VAR}\n' + base;
      expect(errorsOf(parseConfig(text, 'r.yaml', {}))[0]?.message).toBe(
        'environment variable STRANGLER_TEST_ONLY_VAR is not set and has no default',
      );
      expect(configOf(parseConfig(text, 'r.yaml')).server.port).toBe(1234);
    } finally {
      delete process.env['STRANGLER_TEST_ONLY_VAR'];
    }
  });

  it('does not expand mapping keys', () => {
    const text = 'upstreams:\n  legacy:\n    url: http://a\nroutes:\n  - prefix: /\n    upstream: legacy\n    ${KEY}: 1\n';
    expect(errorsOf(parseConfig(text, 'r.yaml', { KEY: 'timeoutMs' }))[0]?.message).toMatch(/^unknown key '\$\{KEY\}'/);
  });
});

describe('coercion of expanded values', () => {
  const parse = (server: string, env: Record<string, string>): LoadResult => parseConfig(`server:\n${server}\n${base}`, 'r.yaml', env);

  it('turns a decimal into a number only where the schema wants a number', () => {
    expect(configOf(parse('  port: ${P}\n  host: ${H}', { P: '8080', H: '1234' })).server).toEqual({ port: 8080, host: '1234' });
  });

  it('says where a bad value came from', () => {
    expect(errorsOf(parse('  port: ${P}', { P: 'eighty' }))).toEqual([
      { line: 2, column: 9, path: 'server.port', message: "must be an integer between 0 and 65535 (got 'eighty' from '${P}')" },
    ]);
    expect(errorsOf(parse('  port: ${P}', { P: '08080' }))[0]?.message).toBe(
      "must be an integer between 0 and 65535 (got '08080' from '${P}')",
    );
  });

  it('leaves a number quoted in the file as a string (written as such, reported as such)', () => {
    expect(errorsOf(parse('  port: "8080"', {}))).toEqual([
      { line: 2, column: 9, path: 'server.port', message: "must be an integer between 0 and 65535 (got '8080')" },
    ]);
  });

  it('never turns a scalar into a list or a list into a scalar', () => {
    const text = base.replace('    upstream: legacy\n', '    upstream: legacy\n    methods: ${M}\n');
    expect(errorsOf(parseConfig(text, 'r.yaml', { M: 'GET' }))).toEqual([
      {
        line: 7,
        column: 14,
        path: 'routes[0].methods',
        message: "must be a non-empty list of HTTP methods, like [GET, POST] (got 'GET' from '${M}')",
      },
    ]);
  });

  it('reads true/false for booleans and leaves other words alone', () => {
    const text = (v: string): string => base.replace('    upstream: legacy\n', `    upstream: legacy\n    preserveHost: \${V}\n`) + `# ${v}\n`;
    expect(configOf(parseConfig(text('t'), 'r.yaml', { V: 'false' })).routes[0]?.preserveHost).toBe(false);
    expect(errorsOf(parseConfig(text('y'), 'r.yaml', { V: 'yes' }))[0]?.message).toBe("must be true or false (got 'yes' from '${V}')");
  });

  it('does not coerce a string field that happens to look like a number or a boolean', () => {
    const text = base.replace('    upstream: legacy\n', '    upstream: legacy\n    fallback: ${F}\n').replace('  legacy:\n', '  "123":\n    url: http://b\n  legacy:\n');
    const config = configOf(parseConfig(text, 'r.yaml', { F: '123' }));
    expect(config.routes[0]?.fallback).toBe('123');
  });
});
