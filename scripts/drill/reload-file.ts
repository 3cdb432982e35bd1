// The routes.yaml the reload drill rewrites: its valid and invalid contents, the ways a file gets
// replaced in real life (in place, temp file renamed over, a Kubernetes ConfigMap's symlink swap),
// and the schedule of the writes (deterministic for a seed).
import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../lib/seeded-random.js';

export const COLORS = ['blue', 'green'] as const;
export type Color = (typeof COLORS)[number];

export const INVALID_KINDS = ['unknown-upstream', 'bad-yaml', 'truncated', 'duplicate-key', 'empty', 'duplicate-route'] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

export const WRITE_MODES = ['in-place', 'rename', 'configmap'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

export interface RoutesParams {
  readonly urls: Readonly<Record<Color, string>>;
  /** The first line, a comment. */
  readonly note: string;
  /** defaults.timeoutMs: a value that differs per write, so that every valid write is a version
   *  of its own (the version is a hash of the validated config, comments excluded). */
  readonly timeoutMs: number;
}

/** A valid file (unless `svc` is no upstream): `/svc` to `svc`, everything else (`/`) to blue. */
export function routesYaml(p: RoutesParams, svc: string): string {
  return `# ${p.note}
server:
  drainTimeoutMs: 2000
upstreams:
  blue:
    url: ${p.urls.blue}
  green:
    url: ${p.urls.green}
defaults:
  timeoutMs: ${p.timeoutMs}
routes:
  - prefix: /svc
    upstream: ${svc}
  - prefix: /
    upstream: blue
`;
}

const SVC_UPSTREAM = /^( {4}upstream: )(\S+)$/m; // the first route's upstream line: /svc's

/** An invalid file of the given kind; `svc` is the color the writer "meant" to write. */
export function invalidRoutesYaml(p: RoutesParams, kind: InvalidKind, svc: Color): string {
  const valid = routesYaml(p, svc);
  switch (kind) {
    case 'unknown-upstream':
      return routesYaml(p, 'purple');
    case 'bad-yaml': // an unclosed flow sequence
      return valid.replace(SVC_UPSTREAM, '$1[$2');
    case 'truncated': { // the writer died in the middle of /svc's `upstream:` key
      const at = valid.indexOf('    upstream:', valid.indexOf('- prefix: /svc'));
      return valid.slice(0, at + '    upstr'.length);
    }
    case 'duplicate-key':
      return valid.replace(SVC_UPSTREAM, `$1$2\n$1${svc === 'blue' ? 'green' : 'blue'}`);
    case 'empty':
      return '';
    case 'duplicate-route':
      return valid.replace('  - prefix: /\n', `  - prefix: /svc\n    upstream: ${svc}\n  - prefix: /\n`);
  }
}

/**
 * The routes file in its own directory, replaced in one of three ways:
 * - `in-place`: writeFile (truncate + write) on the path, through a symlink if it is one;
 * - `rename`: write `routes.yaml.tmp`, rename it over `routes.yaml` (an editor's save);
 * - `configmap`: what the kubelet does: write `..<stamp>/routes.yaml`, point `..data_tmp` at the
 *   new directory, rename it over `..data`, delete the old directory; `routes.yaml` is (made) the
 *   symlink `..data/routes.yaml` (renamed over the file when it is not that symlink yet).
 */
export class RoutesFile {
  readonly path: string;
  #stamps = 0;

  constructor(readonly dir: string, readonly name = 'routes.yaml') {
    this.path = join(dir, name);
  }

  /** Writes `text` the given way; returns what was done, e.g. `configmap (re-link)`. */
  write(text: string, mode: WriteMode): string {
    switch (mode) {
      case 'in-place':
        writeFileSync(this.path, text);
        return this.#isConfigMapLink() ? 'in-place (through the ..data link)' : 'in-place';
      case 'rename': {
        const tmp = `${this.path}.tmp`;
        writeFileSync(tmp, text);
        renameSync(tmp, this.path);
        return 'rename';
      }
      case 'configmap':
        return this.#configMapSwap(text);
    }
  }

  #isConfigMapLink(): boolean {
    try {
      return readlinkSync(this.path) === `..data/${this.name}`;
    } catch {
      return false;
    }
  }

  #configMapSwap(text: string): string {
    const stamp = `..drill_${process.pid}_${++this.#stamps}`;
    mkdirSync(join(this.dir, stamp));
    writeFileSync(join(this.dir, stamp, this.name), text);
    let old: string | undefined;
    try {
      old = readlinkSync(join(this.dir, '..data'));
    } catch { /* the first swap */ }
    const tmpLink = join(this.dir, '..data_tmp');
    rmSync(tmpLink, { force: true });
    symlinkSync(stamp, tmpLink);
    renameSync(tmpLink, join(this.dir, '..data'));
    let how = 'configmap';
    if (!this.#isConfigMapLink()) {
      const link = `${this.path}.link`;
      rmSync(link, { force: true });
      symlinkSync(`..data/${this.name}`, link);
      renameSync(link, this.path);
      how = 'configmap (re-link)';
    }
    if (old !== undefined && old.startsWith('..') && !old.includes('/')) rmSync(join(this.dir, old), { recursive: true, force: true });
    return how;
  }
}
/** Every invalidEvery-th write is invalid (>= 2: two invalid writes never follow each other). */
export interface PlanOptions {
  readonly rewrites: number;
  readonly invalidEvery: number;
  readonly minGapMs: number;
  readonly maxGapMs: number;
  readonly seed: number;
  readonly initial: Color;
}

/** n: 1-based; invalid: undefined for a valid write; before/after: the color /svc is served by before
 *  the write and once it is handled (= before for an invalid one). */
export interface PlannedWrite {
  readonly n: number;
  readonly invalid?: InvalidKind;
  readonly before: Color;
  readonly after: Color;
  readonly mode: WriteMode;
  readonly gapMs: number;
}

// rename (leaves a plain file), in-place on that plain file, two ConfigMap swaps (the first
// re-links routes.yaml to ..data/routes.yaml, the second only swaps ..data), then in-place
// through the ..data link. 5 is prime to the usual invalidEvery, so invalid writes meet every mode.
const [IN_PLACE, RENAME, CONFIGMAP] = WRITE_MODES;
const MODE_CYCLE: readonly WriteMode[] = [RENAME, IN_PLACE, CONFIGMAP, CONFIGMAP, IN_PLACE];

export const other = (c: Color): Color => (c === COLORS[0] ? COLORS[1] : COLORS[0]);

export function planWrites(o: PlanOptions): PlannedWrite[] {
  if (!Number.isInteger(o.rewrites) || o.rewrites < 1) throw new Error(`rewrites must be an integer >= 1, got ${o.rewrites}`);
  if (!Number.isInteger(o.invalidEvery) || o.invalidEvery < 2) throw new Error(`invalidEvery must be an integer >= 2, got ${o.invalidEvery}`);
  if (!(o.minGapMs > 0 && o.maxGapMs >= o.minGapMs)) throw new Error(`need 0 < minGapMs <= maxGapMs, got ${o.minGapMs}..${o.maxGapMs}`);
  const random = seededRandom(o.seed);
  const plan: PlannedWrite[] = [];
  let live = o.initial;
  let invalids = 0;
  for (let n = 1; n <= o.rewrites; n++) {
    const mode = MODE_CYCLE[(n - 1) % MODE_CYCLE.length]!;
    const gapMs = Math.round(o.minGapMs + random() * (o.maxGapMs - o.minGapMs));
    if (n % o.invalidEvery === 0) {
      const invalid = INVALID_KINDS[invalids++ % INVALID_KINDS.length]!;
      plan.push({ n, invalid, before: live, after: live, mode, gapMs });
    } else {
      const after = other(live);
      plan.push({ n, before: live, after, mode, gapMs });
      live = after;
    }
  }
  return plan;
}
