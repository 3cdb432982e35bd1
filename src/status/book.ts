// This process's status figures: every answered request's side (route, upstream, role) fed once
// from the access log (observability/access-log.ts), shadow copies from the shadow reports'
// events, the table's request series (one point per 10 s, an hour of them) and the last reloads.
// Cells are kept by route label, so they live across every reload (a cut-over route shows the
// legacy side tapering off); snapshot() hands them out as one plain value (cells.ts).

import type { ConfigError } from '../config/types.js';
import { formatConfigError } from '../config/format.js';
import type { ReloadOutcome } from '../routing/reloader.js';
import type { RouteTable } from '../routing/table.js';
import type { ShadowEvent } from '../shadow/log-line.js';
import { systemClock, type Clock } from '../util/clock.js';
import { SERIES_POINTS, SLOT_MS, coveredMs, type CellSide, type Role, type SeriesPoint, type StatusCells } from './cells.js';
import { SideCell } from './side-cell.js';
import { legacyUpstreamOf, routeLives } from './table-input.js';
import type { MigrationStatus } from './types.js';

type Reload = MigrationStatus['reloads'][number];

const RELOADS_KEPT = 10;

class LabelCells {
  readonly sides: SideCell[] = [];
  fallbacks = 0;

  side(upstream: string, role: Role): SideCell {
    for (const s of this.sides) if (s.upstream === upstream && s.role === role) return s;
    const s = new SideCell(upstream, role);
    this.sides.push(s);
    return s;
  }
}

export class StatusBook {
  readonly #clock: Clock;
  readonly #startedAt: number;
  readonly #labels = new Map<string, LabelCells>();
  #table: RouteTable | null = null;
  #legacy: string | null = null;
  /** Route label -> its shadow upstream in the live table. */
  #shadows = new Map<string, string>();
  readonly #seriesStamps = new Array<number>(SERIES_POINTS).fill(-1);
  readonly #seriesRequests = new Array<number>(SERIES_POINTS).fill(0);
  readonly #seriesNonLegacy = new Array<number>(SERIES_POINTS).fill(0);
  readonly #reloads: Reload[] = [];

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
    this.#startedAt = clock.now();
  }

  /** The table swapped in (the legacy upstream, the shadows, the routes' live state follow it). */
  setTable(table: RouteTable): void {
    this.#table = table;
    this.#legacy = legacyUpstreamOf(table);
    const shadows = new Map<string, string>();
    for (const r of table.routes) if (r.shadow !== null && !shadows.has(r.label)) shadows.set(r.label, r.shadow.upstream.name);
    this.#shadows = shadows;
  }

  #cells(label: string): LabelCells {
    let c = this.#labels.get(label);
    if (c === undefined) this.#labels.set(label, (c = new LabelCells()));
    return c;
  }

  /** One answered request (route label, the upstream that answered and in which role). A 101 (a
   *  WebSocket or other upgrade) is counted without its duration: that is the connection's lifetime
   *  (minutes, hours), not an answer's latency, and would be the route's p99. `broken`: the
   *  upstream broke its response off mid-body, an error whatever its status. */
  record(route: string, upstream: string, role: Role, status: number, ms: number, broken = false): void {
    const now = this.#clock.now();
    const cells = this.#cells(route);
    if (role === 'fallback') cells.fallbacks++;
    cells.side(upstream, role).record(now, status >= 500 || broken, status === 101 ? Number.NaN : ms);
    const stamp = Math.floor(now / SLOT_MS);
    const i = stamp % SERIES_POINTS;
    if (this.#seriesStamps[i] !== stamp) {
      this.#seriesStamps[i] = stamp;
      this.#seriesRequests[i] = 0;
      this.#seriesNonLegacy[i] = 0;
    }
    this.#seriesRequests[i]!++;
    if (upstream !== this.#legacy) this.#seriesNonLegacy[i]!++;
  }

  /** A try that failed and that the fallback answered (record() counts the request on the
   *  fallback's side): counted on the side that failed, so a dead service behind a fallback does
   *  not read as healthy. */
  fellBack(route: string, upstream: string, role: 'primary' | 'canary'): void {
    this.#cells(route).side(upstream, role).fellBack(this.#clock.now());
  }

  /** A finished shadow comparison: the shadow side of its route (skipped copies were not sent). */
  shadowEvent(e: ShadowEvent): void {
    if (e.result === 'skipped') return;
    const upstream = this.#shadows.get(e.route);
    if (upstream === undefined) return;
    const failed = e.result === 'shadow_error' || (e.shadowStatus ?? 0) >= 500;
    this.#cells(e.route).side(upstream, 'shadow').record(this.#clock.now(), failed, e.shadowMs ?? Number.NaN);
  }

  /** A reload's outcome, in words (the last 10 are kept, newest first). A reload that found the
   *  same config ('unchanged': an editor's save, a ConfigMap's symlink swap) is not kept: a burst of
   *  them would push the reloads that changed something out of the 10 (the log says each one). */
  reloaded(outcome: ReloadOutcome, trigger: string): void {
    if (outcome.result === 'unchanged') return;
    const at = new Date(this.#clock.now()).toISOString();
    const changes =
      outcome.result === 'success' ? [...outcome.changes]
      : outcome.result === 'invalid' ? outcome.errors.map((e: ConfigError) => formatConfigError(e))
      : [outcome.message];
    this.#reloads.unshift({ at, result: outcome.result, trigger, changes });
    if (this.#reloads.length > RELOADS_KEPT) this.#reloads.length = RELOADS_KEPT;
  }

  get reloads(): readonly Reload[] {
    return this.#reloads;
  }

  snapshot(): StatusCells {
    const now = this.#clock.now();
    const sides: CellSide[] = [];
    const fallbacks: Record<string, number> = {};
    for (const [route, c] of this.#labels) {
      if (c.fallbacks > 0) fallbacks[route] = c.fallbacks;
      for (const s of c.sides) sides.push({ route, upstream: s.upstream, role: s.role, window: s.window(now), total: s.totals() });
    }
    const stamp = Math.floor(now / SLOT_MS);
    const series: SeriesPoint[] = [];
    // Every 10 s since start (an hour at most), the quiet ones as zeros: a graph reads it as is.
    for (let k = Math.max(stamp - SERIES_POINTS + 1, Math.floor(this.#startedAt / SLOT_MS)); k <= stamp; k++) {
      const i = k % SERIES_POINTS;
      const held = this.#seriesStamps[i] === k;
      series.push({ at: new Date(k * SLOT_MS).toISOString(), requests: held ? this.#seriesRequests[i]! : 0, nonLegacy: held ? this.#seriesNonLegacy[i]! : 0 });
    }
    return {
      windowMs: coveredMs(now, this.#startedAt),
      sides,
      fallbacks,
      series,
      live: this.#table === null ? [] : routeLives(this.#table),
    };
  }
}
