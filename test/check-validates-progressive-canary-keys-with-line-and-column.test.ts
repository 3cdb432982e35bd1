// canary.steps (a progressive canary) instead of percent: exactly one of the two, steps going up
// in (0, 100], stepEveryMs (>= 1000) with steps only, gates with their defaults; `check` reports
// every mistake at its line and column and prints a valid one.
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { writeConfig } from './helpers/servers.js';

const head = 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  users: { url: http://127.0.0.1:8001 }\nroutes:\n';
// Line 5 is the first route.
const route = (i: number, canary: string) => `  - { prefix: /r${i}, upstream: legacy, canary: ${canary} }\n`;

describe('strangler check: the progressive canary', () => {
  it('reports percent and steps together, neither, steps not going up or out of range, and the step keys without steps', async () => {
    const bad = [
      '{ upstream: users, percent: 10, steps: [10, 50], stepEveryMs: 60000 }',
      '{ upstream: users }',
      '{ upstream: users, steps: [10, 50, 25], stepEveryMs: 60000 }',
      '{ upstream: users, steps: [0, 50], stepEveryMs: 60000 }',
      '{ upstream: users, steps: [10, 150], stepEveryMs: 60000 }',
      '{ upstream: users, steps: [10, 50] }',
      '{ upstream: users, steps: [10, 50], stepEveryMs: 10 }',
      '{ upstream: users, percent: 10, stepEveryMs: 60000, gates: { minRequests: 5 } }',
      '{ upstream: users, steps: [10], stepEveryMs: 60000, gates: { maxP99Ratio: 0, minRequests: 0, maxErrorRate: 2 } }',
    ];
    const file = await writeConfig(head + bad.map((c, i) => route(i, c)).join(''));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    const esc = (text: string) => text.replace(/[[\].]/g, '\\$&');
    /** An error on the route's line (a column past the line's start), at this path, saying this (a regular expression). */
    const at = (line: number, path: string, what: string) => expect(r.err).toMatch(new RegExp(`${esc(file)}:${5 + line}:\\d+ ${esc(path)}: [^\\n]*${what}`));
    at(0, 'routes[0].canary.steps', 'percent and steps exclude each other');
    at(1, 'routes[1].canary', "missing required key 'percent'\\n");
    at(2, 'routes[2].canary.steps[2]', 'steps must go up: 25 after 50');
    at(3, 'routes[3].canary.steps[0]', 'a percentage above 0 and at most 100');
    at(4, 'routes[4].canary.steps[1]', 'a percentage above 0 and at most 100');
    at(5, 'routes[5].canary', "missing required key 'stepEveryMs'");
    at(6, 'routes[6].canary.stepEveryMs', 'an integer >= 1000');
    at(7, 'routes[7].canary.stepEveryMs', 'stepEveryMs is for a progressive canary: it needs steps');
    at(7, 'routes[7].canary.gates', 'gates is for a progressive canary: it needs steps');
    at(8, 'routes[8].canary.gates.maxP99Ratio', 'a number above 0');
    at(8, 'routes[8].canary.gates.minRequests', 'an integer >= 1');
    at(8, 'routes[8].canary.gates.maxErrorRate', 'a number between 0 and 1');
    // The column is the key's or the value's, not the line's start.
    expect(r.err).toMatch(new RegExp(`${file}:5:(?!1 )\\d+ routes\\[0\\]\\.canary\\.steps`));
  });

  it('prints a progressive canary with its steps, interval and gates (defaults filled in), and --json describes it', async () => {
    const file = await writeConfig(head + route(0, '{ upstream: users, steps: [5, 25, 50, 100], stepEveryMs: 300000, gates: { minRequests: 50 } }'));
    const r = await cli(['check', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain("canary users steps 5/25/50/100% every 300000ms (gates: error rate <= 0.01, p99 <= 1.5x the primary's, >= 50 requests)");
    const json = await cli(['check', '--json', file]);
    const described = JSON.parse(json.out) as { routes: { canary: unknown }[] };
    expect(described.routes[0]!.canary).toEqual({
      upstream: 'users', percent: 5, steps: [5, 25, 50, 100], stepEveryMs: 300000, gates: { maxErrorRate: 0.01, maxP99Ratio: 1.5, minRequests: 50 },
    });
  });
});
