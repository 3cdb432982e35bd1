// Every request's one access line and its metric update (strangler_requests_total and the
// duration histogram), measured from when the request arrived. Who fills a line: the request
// handler (forward/handler.ts: refusals and finished exchanges), upgrades (forward/upgrade.ts),
// the refusals before any route (forward/respond.ts); forward/client-fields.ts says who the client is.

import { AccessLineWriter, type AccessLineFields } from './access-line.js';
import type { RouteMeters } from './metrics.js';
import type { StatusBook } from '../status/book.js';
import { batchingOf, type Batching, type Logger } from './logger.js';

/** An access line before its duration is known: it is measured from `startedAt` when written. */
export interface AccessLine extends AccessLineFields {
  readonly startedAt: number;
  /** The upstream broke its response off mid-body (not the client): counted in
   *  strangler_responses_broken_total, and as an error by the migration status. Not written. */
  readonly upstreamBroke?: boolean;
  /** With fellBack: the upstream whose try failed (the route's, or its canary). Not written. */
  readonly triedUpstream?: string;
}

export class AccessLog {
  readonly #lines: AccessLineWriter;
  readonly #unmatched: RouteMeters;
  /** The process log: a request's line, metrics and status figures are made later, a batch at
   *  a time, out of the response path (logger.ts Batching.defer), and before anyone reads the
   *  figures (settleDeferredLines). Null (a test's stream): made at once. */
  readonly #later: Batching | null;

  /** The migration status's figures (null: none kept). */
  readonly #status: StatusBook | null;

  constructor(logger: Logger, unmatched: RouteMeters, status: StatusBook | null = null) {
    this.#lines = new AccessLineWriter(logger);
    this.#later = batchingOf(logger);
    this.#unmatched = unmatched;
    this.#status = status;
  }

  /** `meters`: the matched route's; null for a request no route took. `line` is not changed after. */
  write(line: AccessLine, meters: RouteMeters | null): void {
    const durationMs = performance.now() - line.startedAt;
    // (Made later, the line carries the time it was logged, not the time it was made.)
    if (this.#later !== null) return this.#later.defer(this.#made, line, meters, durationMs, Date.now());
    this.#lines.write(this.#count(line, meters, durationMs), line, durationMs);
  }

  /** Counted, and the line's text. */
  readonly #made = (line: AccessLine, meters: RouteMeters | null, durationMs: number, at: number): string =>
    this.#lines.text(this.#count(line, meters, durationMs), line, durationMs, at);

  /** The metrics' and the status's figures; the line's level. */
  #count(line: AccessLine, meters: RouteMeters | null, durationMs: number): 'info' | 'warn' {
    const m = meters ?? this.#unmatched;
    m.record(line.upstream ?? '', line.method, line.status, durationMs / 1000);
    const broke = line.upstreamBroke === true;
    if (broke) m.broken(line.upstream ?? '', line.error ?? 'upstream_aborted');
    // The status counts what an upstream answered (a refusal before any upstream is not a side).
    if (this.#status !== null && line.route !== null && line.upstream !== null) {
      this.#status.record(line.route, line.upstream, line.fellBack === true ? 'fallback' : line.canary === 'canary' ? 'canary' : 'primary', line.status, durationMs, broke);
      if (line.fellBack === true && line.triedUpstream !== undefined) this.#status.fellBack(line.route, line.triedUpstream, line.canary === 'canary' ? 'canary' : 'primary');
    }
    // A quiet WebSocket closed by idleTimeoutMs is the bound working, not a failure: info.
    const quiet = line.error === null || line.error === 'client_closed' || (line.status === 101 && line.error === 'idle_timeout');
    return quiet ? 'info' : 'warn'; // (the line says durationMs to the microsecond: access-line.ts msText)
  }
}
