// `strangler replay`'s engine: reads the recordings line by line (lines.ts), sends each recorded
// request that the rules allow to the candidate through one undici Pool, at most `concurrency`
// at a time (a line is read only when a slot is free, so memory holds at most that many
// exchanges whatever the files' size) and at most `rate` a second, compares each answer with the
// recorded one (compare.ts, with the route's rules and the noise learned from the recording
// first, learn-noise.ts) and counts the result into the shadow report of its route and the tally
// of its endpoint. Lines that are not recorded exchanges are counted, by reason, and named.

import { Pool } from 'undici';
import type { EffectiveConfig } from '../routing/types.js';
import { curlFor } from '../shadow/curl.js';
import { emptyReport, record, type ShadowReport } from '../shadow/report.js';
import { mergeByRoute } from '../shadow/merge.js';
import { systemClock, type Clock } from '../util/clock.js';
import { comparedEvent, compareReplayed, uncomparedEvent, type ReplayedRequest } from './compare.js';
import { endpointTemplate } from './endpoint.js';
import { EndpointTallies, type EndpointTally } from './endpoints.js';
import { bodyBytes, parseExchange, type RecordedExchange } from './exchange.js';
import { learnRecordedNoise } from './learn-noise.js';
import { readLines } from './lines.js';
import { endpointKey, OptionsByRoute } from './options.js';
import { Pacer } from './pacer.js';
import { recordedAnswer } from './recorded.js';
import { answeredByOther, RouteFinder, type RouteRules } from './routes.js';
import { outgoingHeaders, sendRecorded } from './send.js';
import { withoutRedactedQuery } from '../record/redact-query.js';
import { Slots } from './slots.js';
import type { ShadowEvent } from '../shadow/log-line.js';

export interface ReplaySettings {
  readonly files: readonly string[];
  readonly target: URL;
  readonly methods: ReadonlySet<string>;
  readonly concurrency: number;
  /** Requests per second; null: no limit. */
  readonly rate: number | null;
  readonly timeoutMs: number;
  /** `--header`s, in order. */
  readonly headers: readonly (readonly [string, string])[];
  /** Send the path as the client sent it (the target is another proxy), not as it went upstream. */
  readonly clientPath: boolean;
  /** The validated `--config`, or null. */
  readonly effective: EffectiveConfig | null;
}

export interface ReplayHooks {
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told after each line is done. */
  readonly onProgress?: (p: Progress) => void;
}

export interface Progress {
  lines: number;
  match: number;
  mismatch: number;
  errors: number;
  skipped: number;
}

export interface BadLine {
  readonly file: string;
  readonly line: number;
  readonly error: string;
}

export interface ReplayOutcome {
  readonly reports: ShadowReport[];
  readonly endpoints: EndpointTally[];
  readonly progress: Progress;
  /** Lines that were not recorded exchanges: how many, and the first few. */
  readonly badLines: number;
  readonly firstBadLines: BadLine[];
}

const BAD_LINES_KEPT = 10;
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function replay(s: ReplaySettings, hooks: ReplayHooks = {}): Promise<ReplayOutcome> {
  const clock = hooks.clock ?? systemClock;
  const sleep = hooks.sleep ?? defaultSleep;
  const routes = new RouteFinder(s.effective);
  const options = new OptionsByRoute();
  const noise = await learnRecordedNoise({ files: s.files, methods: s.methods, routes, options });
  const reports = new Map<string, ShadowReport>();
  const endpoints = new EndpointTallies();
  const progress: Progress = { lines: 0, match: 0, mismatch: 0, errors: 0, skipped: 0 };
  const firstBadLines: BadLine[] = [];
  let badLines = 0;
  const pacer = new Pacer(s.rate, clock);
  const slots = new Slots(s.concurrency);
  const base = s.target.pathname.replace(/\/+$/, '');
  const pool = new Pool(s.target.origin, { connections: s.concurrency, pipelining: 1 });

  const count = (template: string, e: ShadowEvent): void => {
    let r = reports.get(e.route);
    if (r === undefined) reports.set(e.route, (r = emptyReport(e.route, e.at)));
    record(r, e);
    endpoints.add(template, e);
    if (e.result === 'match') progress.match++;
    else if (e.result === 'mismatch') progress.mismatch++;
    else if (e.result === 'shadow_error') progress.errors++;
    else progress.skipped++;
  };

  // (A --header value, a token for the candidate say, is sent but never printed; Host is no secret,
  // and a curl line without it would not reach an app that checks it.)
  const extraNames = s.headers.map(([name]) => name).filter((name) => name.toLowerCase() !== 'host');
  const one = async (x: RecordedExchange): Promise<void> => {
    const rules = routes.find(x.request.method, x.request.path, x.host, x.route);
    const template = endpointTemplate(x.request.method, x.request.path);
    const req: ReplayedRequest = {
      route: rules.label,
      method: x.request.method,
      path: x.request.path,
      at: new Date(clock.now()).toISOString(),
      recordedStatus: x.response.status,
      recordedMs: x.response.durationMs,
    };
    const skip = skipReason(x, s.methods, rules);
    const recorded = skip === null ? recordedAnswer(x) : { skip };
    if ('skip' in recorded) return count(template, uncomparedEvent(req, 'skipped', recorded.skip));
    const wait = pacer.take();
    if (wait > 0) await sleep(wait);
    const path = base + withoutRedactedQuery(s.clientPath ? x.request.path : x.request.upstreamPath);
    const headers = outgoingHeaders(x.request.headers, s.headers, s.clientPath);
    const body = x.request.body === null ? null : bodyBytes(x.request.body);
    const answer = await sendRecorded(pool, { method: x.request.method, path, headers, body }, s.timeoutMs);
    if (!answer.ok) return count(template, uncomparedEvent(req, answer.result, answer.reason));
    const cmp = compareReplayed(recorded, answer.captured, options.of(rules, noise.get(endpointKey(rules.label, template))));
    if ('skip' in cmp) return count(template, uncomparedEvent(req, 'skipped', cmp.skip));
    const curl = curlFor(x.request.method, s.target.origin + path, headers, body ?? undefined, { redact: extraNames });
    count(template, comparedEvent(req, cmp, answer.captured.status, Math.round(answer.ms * 1000) / 1000, curl));
  };

  try {
    for (const file of s.files) {
      for await (const { line, text } of readLines(file)) {
        await slots.acquire();
        const x = parseExchange(text);
        if (typeof x === 'string') {
          badLines++;
          if (firstBadLines.length < BAD_LINES_KEPT) firstBadLines.push({ file, line, error: x });
          progress.lines++;
          slots.release();
          hooks.onProgress?.(progress);
          continue;
        }
        void one(x)
          .catch((err: unknown) => {
            progress.errors++;
            if (firstBadLines.length < BAD_LINES_KEPT) firstBadLines.push({ file, line, error: `not replayed: ${(err as Error)?.message ?? String(err)}` });
          })
          .finally(() => {
            progress.lines++;
            slots.release();
            hooks.onProgress?.(progress);
          });
      }
    }
    await slots.drained();
  } finally {
    await pool.close();
  }
  return { reports: mergeByRoute([...reports.values()]), endpoints: endpoints.list(), progress, badLines, firstBadLines };
}

/** Why a recorded exchange is not sent at all, or null. */
function skipReason(x: RecordedExchange, methods: ReadonlySet<string>, rules: RouteRules): string | null {
  if (!methods.has(x.request.method)) return 'method_not_replayed';
  if (answeredByOther(x, rules)) return 'other_upstream';
  const b = x.request.body;
  if (b !== null && (b.redactionFailed === true || b.data === null)) return 'request_unredacted';
  if (b?.truncated === true) return 'request_truncated';
  return null;
}
