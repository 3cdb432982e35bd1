// Every metric of the contract, defined once (prefix strangler_). One registry per proxy instance,
// so several proxies can live in one process (tests) without clashing.
// Labels carry route prefixes and upstream names only, never a raw request path, and a method
// label only the methods node:http knows, any other as _OTHER (method-label.ts).

import client from 'prom-client';
import { droppedLogBytes } from './logger.js';
import { FALLBACK_REASONS, type KnownSeries } from './known-series.js';
import { methodLabel } from './method-label.js';
import { TalliedCounter, TalliedHistogram } from './tallies.js';

export class Metrics {
  readonly registry = new client.Registry();

  readonly requests = new TalliedCounter({
    name: 'strangler_requests_total',
    help: 'Requests answered, by route prefix, upstream, method (one node:http knows, else _OTHER) and status.',
    labelNames: ['route', 'upstream', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly duration = new TalliedHistogram({
    name: 'strangler_request_duration_seconds',
    help: 'Time from request start to the end of the response.',
    labelNames: ['route', 'upstream'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registry: this.registry,
  });

  readonly retries = new client.Counter({
    name: 'strangler_upstream_retries_total',
    help: 'Retries sent to an upstream, by reason.',
    labelNames: ['route', 'upstream', 'reason'] as const,
    registers: [this.registry],
  });

  readonly fallbacks = new client.Counter({
    name: 'strangler_fallbacks_total',
    help: 'Requests answered by the fallback upstream, by reason.',
    labelNames: ['route', 'from', 'to', 'reason'] as const,
    registers: [this.registry],
  });

  readonly responsesBroken = new client.Counter({
    name: 'strangler_responses_broken_total',
    help: 'Responses an upstream started and did not finish (strangler_requests_total counts them under the status they started with), by reason: upstream_aborted or idle_timeout.',
    labelNames: ['route', 'upstream', 'reason'] as const,
    registers: [this.registry],
  });

  readonly shadowComparisons = new TalliedCounter({
    name: 'strangler_shadow_comparisons_total',
    help: 'Finished shadow comparisons, by result and reason.',
    labelNames: ['route', 'result', 'reason'] as const,
    registers: [this.registry],
  });

  // Extensions (not in the contract's list): the shadow log and the learned noise.
  readonly shadowLogErrors = new client.Counter({
    name: 'strangler_shadow_log_errors_total',
    help: 'Failures to open or write server.shadowLog (logged at most once a second).',
    registers: [this.registry],
  });

  readonly shadowLogDropped = new client.Counter({
    name: 'strangler_shadow_log_dropped_total',
    help: 'Shadow events not written to server.shadowLog: its queue was full or the file could not be opened.',
    registers: [this.registry],
  });

  readonly shadowNoiseDropped = new client.Counter({
    name: 'strangler_shadow_noise_dropped_total',
    help: 'Noise paths learned but not kept: the route\'s noise set was full.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  readonly canaryRequests = new TalliedCounter({
    name: 'strangler_canary_requests_total',
    help: 'Requests of a canary route, by side (primary or canary).',
    labelNames: ['route', 'side'] as const,
    registers: [this.registry],
  });

  readonly configReloads = new client.Counter({
    name: 'strangler_config_reloads_total',
    help: 'Config loads and reloads, by result: success, invalid or error.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /** Extension: what an alert needs to clear once the file is fixed (a counter's increase stays up for its window). */
  readonly #lastReloadOk = new client.Gauge({ name: 'strangler_config_last_reload_successful', help: '1 if the last load or reload of routes.yaml succeeded (or found it unchanged), 0 if it was rejected.', registers: [this.registry] });

  readonly configInfo = new client.Gauge({
    name: 'strangler_config_info',
    help: '1 for the live config version (content hash).',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });

  readonly logDropped = new client.Counter({
    name: 'strangler_log_dropped_bytes_total',
    help: 'Log bytes dropped because stdout did not keep up (the backlog is bounded; the proxy never waits for it).',
    registers: [this.registry],
    collect() {
      this.reset(), this.inc(droppedLogBytes());
    },
  });

  readonly authDecisions = new client.Counter({
    name: 'strangler_auth_decisions_total',
    help: "Authenticators' decisions by route, authenticator and result (allow, deny, error).",
    labelNames: ['route', 'authenticator', 'result'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new client.Counter({
    name: 'strangler_rate_limited_total',
    help: 'Requests refused 429 by a route rate limit.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  readonly rateLimitStoreErrors = new client.Counter({
    name: 'strangler_rate_limit_store_errors_total',
    help: 'Rate-limit decisions the shared store (server.rateLimitStore) could not make: the request passed (fail open).',
    registers: [this.registry],
  });

  readonly traceSpansDropped = new client.Counter({
    name: 'strangler_trace_spans_dropped_total',
    help: 'Sampled spans never delivered to server.tracing.otlpEndpoint: queue_full (the bounded export queue was full) or an export failure (the error type).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly recorded = new client.Counter({
    name: 'strangler_recorded_total',
    help: 'Exchanges written to a route\'s record.file.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  readonly recordDropped = new client.Counter({
    name: 'strangler_record_dropped_total',
    help: 'Recorded exchanges not written: queue_full (the bounded queue was full), write_error (the file could not be opened or written), too_large (a line over maxFileBytes), closed (no route records to its file any more), error (recording the exchange threw), busy (record.maxConcurrent exchanges of the route were being recorded).',
    labelNames: ['route', 'reason'] as const,
    registers: [this.registry],
  });

  readonly tlsHandshakeErrors = new client.Counter({
    name: 'strangler_tls_handshake_errors_total',
    help: 'TLS handshakes on the public port that failed or timed out, by reason (the error code: a client refusing the certificate, no shared protocol, a timeout, plain HTTP).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** notAfter of each served certificate, by name (its file path): the expiry gauge reads it. */
  readonly #certificateExpiry = new Map<string, number>();

  readonly tlsCertificateExpiry = new client.Gauge({
    name: 'strangler_tls_certificate_expiry_seconds',
    help: 'Seconds until a served certificate expires (notAfter), by its file path (server.tls).',
    labelNames: ['name'] as const,
    aggregator: 'min', // workers: merged by the primary (not summed)
    registers: [this.registry],
    collect: () => {
      this.tlsCertificateExpiry.reset();
      const now = Date.now();
      for (const [name, notAfter] of this.#certificateExpiry) this.tlsCertificateExpiry.set({ name }, Math.floor((notAfter - now) / 1000));
    },
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) client.collectDefaultMetrics({ register: this.registry });
    // Every result exists from the start, so alerts and rate() never meet a missing series.
    for (const result of ['success', 'invalid', 'error']) this.configReloads.inc({ result }, 0);
  }

  /** The certificates served now (name: file path -> notAfter); replaces the earlier set. */
  setCertificateExpiries(expiries: ReadonlyMap<string, Date>): void {
    this.#certificateExpiry.clear();
    for (const [name, notAfter] of expiries) this.#certificateExpiry.set(name, notAfter.getTime());
  }

  /** A load or reload's result: strangler_config_reloads_total and the last-result gauge. */
  reloaded(result: 'success' | 'invalid' | 'error'): void {
    this.configReloads.inc({ result });
    this.#lastReloadOk.set(result === 'success' ? 1 : 0);
  }

  setConfigVersion(version: string): void {
    this.configInfo.reset();
    this.configInfo.set({ version }, 1);
  }
}

type Inc = { inc(v?: number): void };
type Observe = { observe(v: number): void };

/**
 * A route's metric children, resolved once per label combination and kept on the compiled route,
 * so a request pays an array lookup and an add rather than prom-client's label hashing.
 */
export class RouteMeters {
  readonly #metrics: Metrics;
  readonly #route: string;
  readonly #byUpstream = new Map<string, { duration: Observe; byMethod: Map<string, Inc[]> }>();
  readonly #canarySides = new Map<string, Inc>();
  readonly #shadowResults = new Map<string, Map<string, Inc>>();

  constructor(metrics: Metrics, route: string) {
    this.#metrics = metrics;
    this.#route = route;
  }

  /**
   * Creates at 0, when the table is compiled (never on the request path), the series whose label
   * values the route's config tells in advance, as strangler_config_reloads_total's are: a shadow's
   * match and mismatch, a canary's two sides, a fallback's reasons, each upstream's histogram. So a
   * rate or ratio of a route that never matched is 0, not an empty result an alert never meets, and
   * increase() sees a series' first count (a series born at 1 has no earlier sample to rise from).
   * Statuses and error reasons are not known in advance: their series start with their first event.
   */
  prime(known: KnownSeries): void {
    for (const upstream of known.upstreams) this.#upstream(upstream);
    if (known.canary) for (const side of ['primary', 'canary'] as const) this.#canaryCell(side);
    if (known.shadow) for (const result of ['match', 'mismatch']) this.#shadowCell(result, '');
    for (const { from, to } of known.fallbacks) {
      for (const reason of FALLBACK_REASONS) this.#metrics.fallbacks.inc({ route: this.#route, from, to, reason }, 0);
    }
  }

  /** strangler_canary_requests_total{route,side}, through a cached child. */
  canarySide(side: 'primary' | 'canary'): void {
    this.#canaryCell(side).inc();
  }

  #canaryCell(side: 'primary' | 'canary'): Inc {
    let c = this.#canarySides.get(side);
    if (c === undefined) {
      c = this.#metrics.canaryRequests.cell(this.#route, side);
      this.#canarySides.set(side, c);
    }
    return c;
  }

  /** strangler_shadow_comparisons_total{route,result,reason}, through a cached cell. */
  shadowResult(result: string, reason: string): void {
    this.#shadowCell(result, reason).inc();
  }

  #shadowCell(result: string, reason: string): Inc {
    let byReason = this.#shadowResults.get(result);
    if (byReason === undefined) this.#shadowResults.set(result, (byReason = new Map()));
    let c = byReason.get(reason);
    if (c === undefined) byReason.set(reason, (c = this.#metrics.shadowComparisons.cell(this.#route, result, reason)));
    return c;
  }

  /** strangler_shadow_noise_dropped_total{route}: rare (a probe learning past the set's limit). */
  shadowNoiseDropped(n: number): void {
    this.#metrics.shadowNoiseDropped.inc({ route: this.#route }, n);
  }

  /** strangler_responses_broken_total{route,upstream,reason}: rare, so no cached cell. */
  broken(upstream: string, reason: string): void {
    this.#metrics.responsesBroken.inc({ route: this.#route, upstream, reason });
  }

  /** strangler_requests_total and the duration histogram; `method` as sent (labelled by methodLabel). */
  record(upstream: string, sentMethod: string, status: number, seconds: number): void {
    const u = this.#upstream(upstream);
    // Keyed by the method as sent when it is its own label (most requests: no label lookup).
    let byStatus = u.byMethod.get(sentMethod);
    if (byStatus === undefined) {
      const method = methodLabel(sentMethod);
      byStatus = u.byMethod.get(method);
      if (byStatus === undefined) {
        byStatus = [];
        u.byMethod.set(method, byStatus);
      }
    }
    let counter = byStatus[status];
    if (counter === undefined) {
      counter = this.#metrics.requests.cell(this.#route, upstream, methodLabel(sentMethod), String(status));
      byStatus[status] = counter;
    }
    counter.inc();
    // A 101's duration is its tunnel's lifetime (a WebSocket open for an hour), not an answer's
    // latency: counted, kept out of the histogram (as the migration status keeps it out of p99).
    if (status !== 101) u.duration.observe(seconds);
  }

  #upstream(upstream: string): { duration: Observe; byMethod: Map<string, Inc[]> } {
    let u = this.#byUpstream.get(upstream);
    if (u === undefined) {
      u = { duration: this.#metrics.duration.cell(this.#route, upstream), byMethod: new Map() };
      this.#byUpstream.set(upstream, u);
    }
    return u;
  }
}
