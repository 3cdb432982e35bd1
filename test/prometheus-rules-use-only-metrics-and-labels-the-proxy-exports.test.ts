// deploy/prometheus/strangler-rules.yaml (README: "Queries and alerts") is a well-formed rules file
// whose every metric, and every label it selects, groups or joins by, is one a running proxy
// exports on /metrics: a renamed metric or a misspelt label would give an empty result, an alert
// that never fires, and Prometheus would not say so. With promtool installed, it checks the file too.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const FILE = new URL('../deploy/prometheus/strangler-rules.yaml', import.meta.url);

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

let proxy: TestProxy | undefined;
let legacy: Upstream | undefined;
let users: Upstream | undefined;
/** Metric name (as sampled: a histogram's _bucket, _sum, _count) -> its label names. */
let exported: Map<string, Set<string>>;

beforeAll(async () => {
  legacy = await startUpstream((_req, res) => res.end('legacy'));
  users = await startUpstream((_req, res) => res.end('users'));
  // A route of each kind whose metrics the rules read: shadow, canary, breaker and fallback.
  proxy = await startProxy(
    upstreamsYaml({ legacy: legacy.url, users: users.url }) +
      'routes:\n' +
      '  - { prefix: /orders, upstream: legacy, shadow: { upstream: users } }\n' +
      '  - { prefix: /users, upstream: legacy, canary: { upstream: users, percent: 10 } }\n' +
      '  - { prefix: /pay, upstream: users, breaker: { consecutiveFailures: 3 }, fallback: legacy }\n' +
      '  - { prefix: /, upstream: legacy }\n',
    { watch: false },
  );
  expect((await fetch(proxy.url + '/')).status).toBe(200); // strangler_requests_total's first series
  exported = new Map();
  for (const line of (await (await fetch(proxy.adminUrl + '/metrics')).text()).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (m === null) continue;
    const labels = exported.get(m[1]!) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(l[1]!);
    exported.set(m[1]!, labels);
  }
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([legacy?.close(), users?.close()]);
});

async function rules(): Promise<Rule[]> {
  const doc = parse(await readFile(FILE, 'utf8')) as { groups?: { name?: unknown; rules?: Rule[] }[] };
  expect(Array.isArray(doc.groups) && doc.groups.length > 0).toBe(true);
  return doc.groups!.flatMap((g) => {
    expect(typeof g.name).toBe('string');
    expect(Array.isArray(g.rules) && g.rules.length > 0).toBe(true);
    return g.rules!;
  });
}

/** A PromQL expression's metric selectors (name and the label names they match on) and the label
 *  names of its by (...), without (...), on (...) and ignoring (...) clauses. */
function readExpr(expr: string): { selectors: { name: string; labels: string[] }[]; grouping: string[] } {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const selectors = [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{([^}]*)\})?/g)]
    .filter((m) => m[1]!.startsWith('strangler_') || m[1]!.includes(':'))
    .map((m) => ({ name: m[1]!, labels: [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!) }));
  const grouping = [...bare.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter(Boolean));
  return { selectors, grouping };
}

describe('deploy/prometheus/strangler-rules.yaml', () => {
  it('records under level:metric:operations names and alerts with a severity, a summary and a sane for', async () => {
    const all = await rules();
    const names = new Set<string>();
    for (const r of all) {
      expect(Object.keys(r).filter((k) => k === 'record' || k === 'alert')).toHaveLength(1);
      expect(typeof r.expr === 'string' && r.expr.trim() !== '').toBe(true);
      const name = r.record ?? r.alert!;
      expect(names.has(name), `${name} defined twice`).toBe(false);
      names.add(name);
      if (r.record !== undefined) {
        expect(r.record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
        continue;
      }
      expect(r.alert).toMatch(/^Strangler[A-Za-z]+$/);
      expect(r.labels?.severity, r.alert).toMatch(/^(page|ticket)$/);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      if (r.for !== undefined) expect(r.for, r.alert).toMatch(/^([1-9]\d*)[ms]$/);
    }
  });

  it('uses only metrics and labels a running proxy exports, and recorded series defined before their use', async () => {
    const recorded = new Set<string>();
    const unknown: string[] = [];
    for (const r of await rules()) {
      const { selectors, grouping } = readExpr(r.expr);
      const seen = new Set<string>(['le']);
      for (const s of selectors) {
        if (s.name.includes(':')) {
          if (!recorded.has(s.name)) unknown.push(`${r.record ?? r.alert}: ${s.name} is not recorded above it`);
          s.name.split(':')[0]!.split('_').forEach((l) => seen.add(l)); // level: its labels (route_upstream)
          continue;
        }
        const labels = exported.get(s.name);
        if (labels === undefined) {
          unknown.push(`${r.record ?? r.alert}: ${s.name} is not on /metrics`);
          continue;
        }
        labels.forEach((l) => seen.add(l));
        for (const l of s.labels) if (!labels.has(l)) unknown.push(`${r.record ?? r.alert}: ${s.name} has no label ${l}`);
      }
      for (const l of grouping) if (!seen.has(l)) unknown.push(`${r.record ?? r.alert}: groups by ${l}, a label none of its metrics has`);
      if (r.record !== undefined) recorded.add(r.record);
    }
    expect(unknown).toEqual([]);
  });

  const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

  it.skipIf(promtool === undefined)('passes promtool check rules', async () => {
    const { stdout } = await promisify(execFile)(promtool!, ['check', 'rules', FILE.pathname]);
    expect(stdout).toContain('SUCCESS');
  });
});
