// The pure step from a validated config to its effective routes: `defaults:` merged under every
// route (route keys win, key by key; retry and breaker merge one level deep), the built-in
// defaults under that, and the rules about a route's own upstream applied. No I/O, no runtime
// objects: upstreams stay names. The validator runs this step (config/load.ts), so a file it
// accepts always compiles; the compiler (compile.ts) binds the result to pools and state.

import path from 'node:path';
import { toPointer } from '../config/paths.js';
import { resolveUpstreamTls } from './upstream-tls.js';
import { quote } from '../config/quote.js';
import type { CanaryConfig, FallbackConfig, RecordConfig, RouteConfig, ShadowConfig, StranglerConfig } from '../config/types.js';
import { checkPattern } from '../shadow/patterns.js';
import { canonicalJson } from '../util/canonical-json.js';
import { compareProblems } from '../shadow/compare-checks.js';
import {
  BREAKER_DEFAULTS,
  CANARY_GATE_DEFAULTS,
  COMPARE_DEFAULTS,
  RECORD_DEFAULTS,
  FALLBACK_DEFAULT_METHODS,
  RETRY_DEFAULTS,
  ROUTE_DEFAULTS,
  SERVER_DEFAULTS,
  SHADOW_DEFAULTS,
  TLS_DEFAULTS,
  TRACING_DEFAULTS,
  type ResolvedServer,
} from './defaults.js';
import { routeKey } from './diff.js';
import { effectiveAuthenticators, effectiveRateLimit, routeAuth } from './identity-effective.js';
import { canaryIsOff, fallbackIsOff, fallbackUpstream, shadowIsOff } from '../config/same-upstream.js';
import type { EffectiveCanary, EffectiveConfig, EffectiveFallback, EffectiveIssue, EffectiveRecord, EffectiveRoute, EffectiveShadow } from './types.js';

// The rules about a route's own upstream are stated once, in config/same-upstream.ts.

// --- the step ---------------------------------------------------------------------------------

export type EffectiveResult =
  | { readonly ok: true; readonly effective: EffectiveConfig }
  | { readonly ok: false; readonly issues: readonly EffectiveIssue[] };

/** `baseDir`: the routes file's folder, what relative file paths (server.tls, server.shadowLog, record.file) are relative to. */
export function effectiveConfig(config: StranglerConfig, baseDir = '.'): EffectiveResult {
  const issues: EffectiveIssue[] = [];
  const routes = config.routes.map((r, index) => effectiveRoute(r, index, config, issues, baseDir));
  if (issues.length > 0) return { ok: false, issues };
  const upstreams = new Map(Object.entries(config.upstreams).map(([n, u]) => [n, resolveUpstreamTls(u, baseDir)]));
  return { ok: true, effective: { server: resolveServer(config, baseDir), upstreams, auth: effectiveAuthenticators(config.auth, baseDir), routes } };
}

export function resolveServer(config: StranglerConfig, baseDir = '.'): ResolvedServer {
  const out = { ...SERVER_DEFAULTS };
  for (const key of Object.keys(SERVER_DEFAULTS) as (keyof ResolvedServer)[]) {
    const v = config.server[key];
    if (v !== undefined) (out as Record<string, unknown>)[key] = v;
  }
  // A whole request cannot take longer than requestTimeoutMs, so its headers cannot either: the
  // default headersTimeoutMs is capped by it (node:http refuses a larger one; an explicit larger
  // one is a validation error, rules.ts).
  if (out.requestTimeoutMs > 0 && config.server.headersTimeoutMs === undefined) out.headersTimeoutMs = Math.min(out.headersTimeoutMs, out.requestTimeoutMs);
  // A relative shadowLog is relative to the routes file's folder, as record.file and the TLS files are.
  if (out.shadowLog !== null) out.shadowLog = path.resolve(baseDir, out.shadowLog);
  const tracing = config.server.tracing;
  if (tracing !== undefined) out.tracing = { ...TRACING_DEFAULTS, ...tracing };
  const tls = config.server.tls;
  if (tls !== undefined) {
    const at = (p: string): string => path.resolve(baseDir, p);
    out.tls = {
      cert: at(tls.cert),
      key: at(tls.key),
      certificates: (tls.certificates ?? []).map((c) => ({ cert: at(c.cert), key: at(c.key) })),
      minVersion: tls.minVersion ?? TLS_DEFAULTS.minVersion,
    };
  }
  return out;
}

function effectiveRoute(r: RouteConfig, index: number, config: StranglerConfig, issues: EffectiveIssue[], baseDir: string): EffectiveRoute {
  const d = config.defaults;
  // The validator checks every name; this keeps "accepted means compiles" true on its own.
  const known = (name: string, ...at: (string | number)[]): string => {
    if (!Object.hasOwn(config.upstreams, name)) issues.push({ pointer: toPointer(at), message: `unknown upstream '${name}'` });
    return name;
  };
  const upstream = known(r.upstream, 'routes', index, 'upstream');
  const fallback = r.fallback ?? d.fallback;
  const fallbackTo = fallback === undefined ? undefined : fallbackUpstream(fallback);
  const canaryOff = r.canary !== undefined && canaryIsOff(upstream, r.canary.upstream);
  const canary = canaryOff ? undefined : r.canary; // (the one that runs)
  const fallbackOff = fallbackTo !== undefined && fallbackIsOff(upstream, fallbackTo, canary !== undefined);
  const breaker = d.breaker === undefined && r.breaker === undefined ? null : { ...BREAKER_DEFAULTS, ...d.breaker, ...r.breaker };
  const shadowOff = r.shadow !== undefined && shadowIsOff(upstream, r.shadow.upstream);
  if (r.shadow !== undefined) checkPatterns(r.shadow, index, issues);
  if (r.record !== undefined) checkRedactJson(r.record, index, issues);
  const route: Omit<EffectiveRoute, 'key' | 'fingerprint'> = {
    index,
    host: r.host?.toLowerCase() ?? null,
    prefix: r.prefix,
    methods: r.methods ?? null,
    upstream,
    prefixRewrite: r.prefixRewrite ?? null,
    preserveHost: r.preserveHost ?? d.preserveHost ?? ROUTE_DEFAULTS.preserveHost,
    timeoutMs: r.timeoutMs ?? d.timeoutMs ?? ROUTE_DEFAULTS.timeoutMs,
    idleTimeoutMs: r.idleTimeoutMs ?? d.idleTimeoutMs ?? ROUTE_DEFAULTS.idleTimeoutMs,
    retry: { ...RETRY_DEFAULTS, ...d.retry, ...r.retry },
    breaker,
    fallback:
      fallback === undefined || fallbackOff
        ? null
        : effectiveFallback(fallback, canary !== undefined && fallbackTo === upstream, known(fallbackTo!, ...(r.fallback === undefined ? ['defaults', 'fallback'] : ['routes', index, 'fallback']))),
    // Said only for a fallback the route writes itself: a `defaults.fallback` naming the upstream
    // of the routes it is not for (the monolith's catch-all) is silently off.
    fallbackOff: fallbackOff && r.fallback !== undefined,
    shadow: r.shadow === undefined || shadowOff ? null : effectiveShadow(r.shadow, known(r.shadow.upstream, 'routes', index, 'shadow', 'upstream')),
    shadowOff,
    canary: canary === undefined ? null : effectiveCanary(canary, known(canary.upstream, 'routes', index, 'canary', 'upstream')),
    canaryOff,
    auth: routeAuth(r),
    rateLimit: effectiveRateLimit(r.rateLimit),
    record: r.record === undefined ? null : effectiveRecord(r.record, baseDir),
  };
  const urlOf = (name: string | null | undefined) => (name == null ? null : (config.upstreams[name]?.url ?? null));
  const urls = [route.upstream, route.fallback?.upstream, route.shadow?.upstream, route.canary?.upstream].map(urlOf);
  // `record` is left out: recording is a pure observer, so turning it on, changing or removing it
  // keeps the route's runtime state (breaker, halted or progressing canary).
  return { ...route, key: routeKey(r), fingerprint: canonicalJson({ ...describeRoute({ ...route, record: null }), urls }) };
}

/** The methods a fallback takes: as listed; else reads only, except a canary route's fallback to
 *  its own upstream (`toPrimary`: the primary, still the system of record), which takes every method. */
function effectiveFallback(f: string | FallbackConfig, toPrimary: boolean, upstream: string): EffectiveFallback {
  const listed = typeof f === 'string' ? undefined : f.methods;
  if (listed !== undefined) return { upstream, methods: listed };
  return { upstream, methods: toPrimary ? null : FALLBACK_DEFAULT_METHODS };
}

/** A progressive canary starts at its first step, its gates' defaults filled in. */
function effectiveCanary(c: CanaryConfig, upstream: string): EffectiveCanary {
  const { steps, gates, percent, upstream: _named, ...rest } = c;
  if (steps === undefined) return { upstream, percent: percent ?? 0, ...rest };
  return { upstream, percent: steps[0] ?? 0, steps, ...rest, gates: { ...CANARY_GATE_DEFAULTS, ...gates } };
}

function effectiveShadow(s: ShadowConfig, upstream: string): EffectiveShadow {
  return {
    upstream,
    percent: s.percent ?? SHADOW_DEFAULTS.percent,
    methods: s.methods ?? SHADOW_DEFAULTS.methods,
    prefixRewrite: s.prefixRewrite ?? null,
    timeoutMs: s.timeoutMs ?? SHADOW_DEFAULTS.timeoutMs,
    maxConcurrent: s.maxConcurrent ?? SHADOW_DEFAULTS.maxConcurrent,
    compare: { ...COMPARE_DEFAULTS, ...s.compare },
  };
}

function effectiveRecord(c: RecordConfig, baseDir: string): EffectiveRecord {
  return {
    file: path.resolve(baseDir, c.file),
    percent: c.percent ?? RECORD_DEFAULTS.percent,
    methods: c.methods ?? RECORD_DEFAULTS.methods,
    maxBodyBytes: c.maxBodyBytes ?? RECORD_DEFAULTS.maxBodyBytes,
    maxFileBytes: c.maxFileBytes ?? RECORD_DEFAULTS.maxFileBytes,
    maxConcurrent: c.maxConcurrent ?? RECORD_DEFAULTS.maxConcurrent,
    // The defaults are always redacted: a route's own list adds to them, never replaces them.
    redactHeaders: [...new Set([...RECORD_DEFAULTS.redactHeaders, ...(c.redactHeaders ?? []).map((h) => h.toLowerCase())])],
    redactJson: c.redactJson ?? RECORD_DEFAULTS.redactJson,
    redactQuery: [...new Set([...RECORD_DEFAULTS.redactQuery, ...(c.redactQuery ?? []).map((q) => q.toLowerCase())])],
  };
}

/** `record.redactJson` compiles as the recorder will compile it (the shadow compare's JSON paths). */
function checkRedactJson(c: RecordConfig, index: number, issues: EffectiveIssue[]): void {
  (c.redactJson ?? []).forEach((entry, i) => {
    const problem = checkPattern(entry);
    if (problem !== null) issues.push({ pointer: toPointer(['routes', index, 'record', 'redactJson', i]), message: `invalid JSON path pattern: ${problem} (got ${quote(entry)})` });
  });
}

/** The compare patterns (JSON paths, CSS selectors, regular expressions) compile as the shadow
 *  will compile them (also on a shadow that is off: the pattern is wrong all the same, and
 *  turning the shadow on must not fail). */
function checkPatterns(s: ShadowConfig, index: number, issues: EffectiveIssue[]): void {
  for (const p of compareProblems(s.compare)) {
    issues.push({ pointer: toPointer(['routes', index, 'shadow', 'compare', p.key, p.index]), message: p.message });
  }
}

/** A route's effective config as `/routes` and `strangler check --json` show it. */
export function describeRoute(r: Omit<EffectiveRoute, 'key' | 'fingerprint'>): object {
  return {
    ...(r.host === null ? {} : { host: r.host }),
    prefix: r.prefix,
    methods: r.methods,
    upstream: r.upstream,
    prefixRewrite: r.prefixRewrite,
    preserveHost: r.preserveHost,
    timeoutMs: r.timeoutMs,
    idleTimeoutMs: r.idleTimeoutMs,
    retry: r.retry,
    breaker: r.breaker,
    fallback: r.fallback,
    shadow: r.shadow,
    canary: r.canary,
    ...(r.auth === null ? {} : { auth: r.auth }),
    ...(r.rateLimit === null ? {} : { rateLimit: r.rateLimit }),
    ...(r.record === null ? {} : { record: r.record }),
  };
}
