// Noise learned from the recording itself: the same request (method, path, request body; on the
// same route) recorded twice with different answers says where the recorded service disagrees
// with itself (a CSRF token, a timestamp), so those paths are noise for that endpoint, as the
// shadow's noise probe learns them (shadow/noise.ts, the route's compare rules). Two passes over
// the files, streamed: the first keeps one hash per distinct request, the second keeps the first
// answer only of the requests whose answers vary (at most MAX_KEPT_BYTES of them), and learns
// from each later answer that differs from it.

import { createHash } from 'node:crypto';
import { learnNoise, NoiseSet } from '../shadow/noise.js';
import { endpointTemplate } from './endpoint.js';
import { headerOf, parseExchange, type RecordedExchange } from './exchange.js';
import { readLines } from './lines.js';
import { endpointKey, OptionsByRoute } from './options.js';
import { recordedAnswer, type RecordedAnswer } from './recorded.js';
import type { RouteFinder, RouteRules } from './routes.js';

const MAX_KEPT_BYTES = 64 * 1024 * 1024;

export interface LearnInput {
  readonly files: readonly string[];
  readonly methods: ReadonlySet<string>;
  readonly routes: RouteFinder;
  readonly options: OptionsByRoute;
}

interface Seen {
  readonly x: RecordedExchange;
  readonly rules: RouteRules;
  readonly requestKey: string;
  readonly answerHash: string;
}

function hash(parts: readonly (string | null | undefined)[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p ?? '\u0000null').update('\u0000');
  return h.digest('base64');
}

async function* exchanges(input: LearnInput): AsyncGenerator<Seen> {
  for (const file of input.files) {
    for await (const { text } of readLines(file)) {
      const x = parseExchange(text);
      if (typeof x === 'string' || !input.methods.has(x.request.method)) continue;
      const rules = input.routes.find(x.request.method, x.request.path, x.host, x.route);
      const reqBody = x.request.body;
      const requestKey = hash([rules.label, x.request.method, x.request.path, reqBody?.encoding, reqBody?.data]);
      const compared = input.options.of(rules).headers.map((h) => headerOf(x.response.headers, h));
      const resBody = x.response.body;
      const answerHash = hash([String(x.response.status), ...compared, headerOf(x.response.headers, 'content-encoding'), resBody?.encoding, resBody?.data]);
      yield { x, rules, requestKey, answerHash };
    }
  }
}

/** The noise of each endpoint (endpointKey), learned from the recorded answers. */
export async function learnRecordedNoise(input: LearnInput): Promise<Map<string, NoiseSet>> {
  const firstHash = new Map<string, string>();
  const varying = new Set<string>();
  for await (const s of exchanges(input)) {
    const h = firstHash.get(s.requestKey);
    if (h === undefined) firstHash.set(s.requestKey, s.answerHash);
    else if (h !== s.answerHash) varying.add(s.requestKey);
  }
  firstHash.clear();
  const noise = new Map<string, NoiseSet>();
  if (varying.size === 0) return noise;

  const first = new Map<string, { hash: string; answer: RecordedAnswer }>();
  let kept = 0;
  for await (const s of exchanges(input)) {
    if (!varying.has(s.requestKey)) continue;
    const answer = recordedAnswer(s.x);
    if ('skip' in answer || answer.truncated) continue;
    const had = first.get(s.requestKey);
    if (had === undefined) {
      if (kept + answer.body.length > MAX_KEPT_BYTES) continue;
      kept += answer.body.length;
      first.set(s.requestKey, { hash: s.answerHash, answer });
      continue;
    }
    if (had.hash === s.answerHash) continue;
    const learned = learnNoise(had.answer, answer, input.options.of(s.rules));
    if (learned.length === 0) continue;
    const key = endpointKey(s.rules.label, endpointTemplate(s.x.request.method, s.x.request.path));
    let set = noise.get(key);
    if (set === undefined) noise.set(key, (set = new NoiseSet()));
    set.add(learned);
  }
  return noise;
}
