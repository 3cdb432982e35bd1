// compare.ignore takes CSS selectors besides JSON paths, and compare.ignoreText regular
// expressions: one the selector engine or RegExp cannot compile is a validation error with its
// line and column, the same at `strangler check` as at start-up; a valid one passes.
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeConfig } from './helpers/servers.js';

const config = (compare: string) => `upstreams:
  legacy: { url: http://127.0.0.1:8000 }
  users: { url: http://127.0.0.1:8001 }
routes:
  - prefix: /admin
    upstream: users
    shadow:
      upstream: legacy
      compare:
${compare}`;

describe('CSS selectors and regular expressions in shadow.compare', () => {
  it('pass `strangler check` when they compile', async () => {
    const file = await writeConfig(config('        ignore: ["$.createdAt", "input[name=csrfmiddlewaretoken]", ".build-stamp", "footer", "my-widget"]\n        ignoreText: ["\\\\d{4}-\\\\d\\\\d-\\\\d\\\\d", "req-[0-9a-f]+"]\n'));
    const r = await cli(['check', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('reject a selector css-select cannot compile, at its line and column', async () => {
    // line 10; the second entry starts at column 33, the third at 48
    const file = await writeConfig(config('        ignore: ["$.createdAt", "input[name=", "p::before", ".ok"]\n'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${file}:10:33 routes\\[0\\]\\.shadow\\.compare\\.ignore\\[1\\]: invalid CSS selector: .*'input\\[name='`, 'm'));
    expect(r.err).toMatch(new RegExp(`^${file}:10:48 routes\\[0\\]\\.shadow\\.compare\\.ignore\\[2\\]: invalid CSS selector: Pseudo-elements are not supported`, 'm'));
    expect(r.err).toContain('2 error(s)');
  });

  it('reject a bare word that names no HTML element: a JSON field written without its $.', async () => {
    const file = await writeConfig(config('        ignore: ["footer", "createdAt"]\n'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:10:28 routes[0].shadow.compare.ignore[1]: 'createdAt' is neither a JSON path nor a CSS selector naming an HTML element: a JSON path starts with $ (did you mean '$.createdAt'?)`);
    expect(r.err).toContain('1 error(s)');
  });

  it('reject a regular expression that does not compile, at its line and column', async () => {
    const file = await writeConfig(config('        ignoreText: ["ok", "build-(\\\\d+"]\n'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${file}:10:28 routes\\[0\\]\\.shadow\\.compare\\.ignoreText\\[1\\]: invalid regular expression: /build-\\(\\\\d\\+/g: Unterminated group`, 'm'));
    expect(r.err).toContain('1 error(s)');
  });

  it('reject a regular expression that can backtrack exponentially on an upstream body, and a bare word that names no element', async () => {
    const file = await writeConfig(config('        ignore: ["svg path", "circle", "createdAt"]\n        ignoreText: ["build-\\\\d+", "(\\\\w+\\\\s?)+;"]\n'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:11:36 routes[0].shadow.compare.ignoreText[1]: invalid regular expression: it can backtrack exponentially`);
    expect(r.err).toContain("routes[0].shadow.compare.ignore[2]: 'createdAt' is neither");
    expect(r.err).toContain('2 error(s)');
  });

  it('reject an empty entry by the schema', async () => {
    const file = await writeConfig(config('        ignore: [""]\n        ignoreText: [""]\n'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('routes[0].shadow.compare.ignore[0]: must be a JSON path like $.items[*].id or a CSS selector like input[name=csrf]');
    expect(r.err).toContain('routes[0].shadow.compare.ignoreText[0]: must be a regular expression');
  });
});
