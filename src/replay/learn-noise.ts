// Noise learned from the recording itself: the same request (method, path, request body; on the
// same route) recorded twice with different answers says where the recorded service disagrees
// with itself (a CSRF token, a timestamp), so those paths are noise for that endpoint, as the
// shadow's noise probe learns them (shadow/noise.ts, the route's compare rules). Two passes over
// the files, streamed: the first keeps compact hashes per distinct request (request-hashes.ts:
// typed arrays, at most 26 bytes each, bounded), the second keeps the first
// answer only of the requests whose answers vary (at most MAX_KEPT_BYTES of them), and learns
// from each later answer that differs from it.

import { createHash } from 'node:crypto';
import { learnNoise, NoiseSet } from '../shadow/noise.js';
import { endpointTemplate } from './endpoint.js';
import { headerOf, parseExchange, type RecordedExchange } from './exchange.js';
import { readLines } from './lines.js';
import { endpointKey, OptionsByRoute } from './options.js';
import { recordedAnswer, type RecordedAnswer } from './recorded.js';
import { RequestHashes } from './request-hashes.js';
import { answeredByOther, type RouteFinder, type RouteRules } from './routes.js';

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
  /** The request's hash, whole (the second pass's key) and its first 64 bits as two numbers. */
  readonly requestKey: string;
  readonly hi: number;
  readonly lo: number;
  /** The answer's hash: its first 32 bits. */
  readonly answerHash: number;
}

function hash(parts: readonly (string | null | undefined)[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p ?? '\u0000null').update('\u0000');
  return h.digest();
}

async function* exchanges(input: LearnInput): AsyncGenerator<Seen> {
  for (const file of input.files) {
    for await (const { text } of readLines(file)) {
      const x = parseExchange(text);
      if (typeof x === 'string' || !input.methods.has(x.request.method)) continue;
      const rules = input.routes.find(x.request.method, x.request.path, x.host, x.route);
      if (answeredByOther(x, rules)) continue; // (not the reference: replay.ts skips it too)
      const reqBody = x.request.body;
      const request = hash([rules.label, x.request.method, x.request.path, reqBody?.encoding, reqBody?.data]);
      const compared = input.options.of(rules).headers.map((h) => headerOf(x.response.headers, h));
      const resBody = x.response.body;
      const answerHash = hash([String(x.response.status), ...compared, headerOf(x.response.headers, 'content-encoding'), resBody?.encoding, resBody?.data]).readUInt32BE(0);
      // Answers a write may stand between (the store changed: not noise) are never paired.
      yield { x, rules, requestKey: `${request.toString('base64')} ${x.writes}`, hi: request.readUInt32BE(0), lo: request.readUInt32BE(4), answerHash };
    }
  }
}

/** The noise of each endpoint (endpointKey), learned from the recorded answers. */
export async function learnRecordedNoise(input: LearnInput): Promise<Map<string, NoiseSet>> {
  const seen = new RequestHashes();
  for await (const s of exchanges(input)) seen.add(s.hi, s.lo, s.answerHash);
  const noise = new Map<string, NoiseSet>();
  if (!seen.anyVarying()) return noise;

  const first = new Map<string, { hash: number; answer: RecordedAnswer }>();
  let kept = 0;
  for await (const s of exchanges(input)) {
    if (!seen.varying(s.hi, s.lo)) continue;
    const answer = recordedAnswer(s.x);
    if ('skip' in answer || answer.truncated) continue;
    const had = first.get(s.requestKey);
    if (had === undefined) {
      if (kept + answer.body.length > MAX_KEPT_BYTES) continue;
      kept += answer.body.length;
      first.set(s.requestKey, { hash: s.answerHash, answer });
      continue;
    }
    if (had.hash === s.answerHash || s.x.writes === null) continue;
    const learned = learnNoise(had.answer, answer, input.options.of(s.rules));
    if (learned.length === 0) continue;
    const key = endpointKey(s.rules.label, endpointTemplate(s.x.request.method, s.x.request.path));
    let set = noise.get(key);
    if (set === undefined) noise.set(key, (set = new NoiseSet()));
    set.add(learned);
  }
  return noise;
}
