// JUnit XML of a replay, for CI: one <testsuite> per route, one <testcase> per endpoint template.
// A test case fails (<failure>) when any of its requests differed, naming each differing path with
// how many requests differed there and one example (the request, the recorded and the candidate's
// value); one whose requests only got no answer is an <error>; one whose requests were all
// skipped is <skipped>. Pure.

import { groupDigits } from '../shadow/format.js';
import type { EndpointTally } from './endpoints.js';

/** Text safe in XML 1.0: the five entities escaped, characters XML cannot hold dropped. */
export function xmlText(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? s.slice(0, 199) + '…' : s;
}

function reasons(r: Record<string, number>): string {
  return Object.entries(r)
    .map(([k, n]) => `${k} ${groupDigits(n)}`)
    .join(', ');
}

function total(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}

type Outcome = 'failure' | 'error' | 'skipped' | 'pass';

function outcome(t: EndpointTally): Outcome {
  if (t.mismatch > 0) return 'failure';
  if (t.match > 0) return 'pass';
  if (total(t.errors) > 0) return 'error';
  return 'skipped';
}

function testCase(t: EndpointTally): string {
  const head = `    <testcase name="${xmlText(t.template)}" classname="${xmlText(t.route)}">`;
  const o = outcome(t);
  const counts = `${groupDigits(t.match)} matched, ${groupDigits(t.mismatch)} differed, ${groupDigits(total(t.errors))} without an answer, ${groupDigits(total(t.skipped))} skipped`;
  if (o === 'pass') return `${head}\n      <system-out>${xmlText(counts)}</system-out>\n    </testcase>`;
  if (o === 'skipped') return `${head}\n      <skipped message="${xmlText(`not replayed: ${reasons(t.skipped)}`)}"/>\n    </testcase>`;
  if (o === 'error') return `${head}\n      <error message="${xmlText(`no answer: ${reasons(t.errors)}`)}" type="no_answer"/>\n    </testcase>`;
  const paths = [...t.paths.entries()].sort((a, b) => b[1].count - a[1].count);
  const message = `${groupDigits(t.mismatch)} of ${groupDigits(t.match + t.mismatch)} requests differ at ${paths.map(([p]) => p).join(', ')}`;
  const lines = paths.map(
    ([p, s]) => `${p}: ${groupDigits(s.count)} request(s); e.g. ${s.example.method} ${s.example.path}: recorded ${value(s.example.recorded)}, candidate ${value(s.example.candidate)} (${s.example.kind})`,
  );
  return `${head}\n      <failure message="${xmlText(message)}" type="mismatch">${xmlText([...lines, counts].join('\n'))}</failure>\n    </testcase>`;
}

export function renderJunit(tallies: readonly EndpointTally[], timestamp: string): string {
  const byRoute = new Map<string, EndpointTally[]>();
  for (const t of tallies) {
    const list = byRoute.get(t.route);
    if (list === undefined) byRoute.set(t.route, [t]);
    else list.push(t);
  }
  const count = (list: readonly EndpointTally[], o: Outcome): number => list.filter((t) => outcome(t) === o).length;
  const attrs = (list: readonly EndpointTally[]): string =>
    `tests="${list.length}" failures="${count(list, 'failure')}" errors="${count(list, 'error')}" skipped="${count(list, 'skipped')}"`;
  const suites = [...byRoute.entries()].map(
    ([route, list]) => `  <testsuite name="${xmlText(route)}" ${attrs(list)} timestamp="${xmlText(timestamp)}">\n${list.map(testCase).join('\n')}\n  </testsuite>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="strangler replay" ${attrs(tallies)}>\n${suites.join('\n')}\n</testsuites>\n`;
}
