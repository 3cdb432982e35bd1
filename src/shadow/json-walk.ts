// The structural JSON walk of the shadow diff (diff.ts explains the rules: values, tolerance,
// arrays positional or as multisets, ignore, noise). Pure.

import { canonicalJson, compareText } from '../util/canonical-json.js';
import { ELEMENTS_COME_AND_GO, type DifferenceCollector, type DifferenceKind } from './differences.js';
import { approximately, ExactInteger, exactGap } from './exact-json.js';
import { formatPath } from './json-path.js';
import type { PathMatcher, PathSegment } from './patterns.js';

type JsonType = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (v instanceof ExactInteger) return 'number';
  if (Array.isArray(v)) return 'array';
  return typeof v as JsonType;
}

/** |a - b| <= tolerance, with a few ulps of slack so 1.5 vs 1.51 is within 0.01 (in doubles
 *  their difference is 0.010000000000000009). Tolerance 0 is exact equality. */
function withinTolerance(a: number, b: number, tolerance: number): boolean {
  if (!(tolerance > 0)) return false;
  const slack = 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b), tolerance);
  return Math.abs(a - b) <= tolerance + slack;
}

const TYPE_RANK: Record<JsonType, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5 };

export class JsonWalker {
  private readonly segs: PathSegment[] = [];

  constructor(
    private readonly out: DifferenceCollector,
    private readonly ignore: PathMatcher,
    private readonly unordered: PathMatcher,
    private readonly tolerance: number,
    private readonly withNoise: boolean,
  ) {}

  private emit(kind: DifferenceKind, primary: unknown, shadow: unknown): void {
    const keys: string[] = [];
    if (this.withNoise) {
      for (let n = this.segs.length; n >= 0; n--) keys.push(formatPath(this.segs.slice(0, n), true));
      // An array element on one side only: also covered where elements come and go (noise.ts).
      if ((kind === 'missing' || kind === 'extra') && typeof this.segs[this.segs.length - 1] === 'number') keys.push(keys[0]! + ELEMENTS_COME_AND_GO);
    }
    this.out.add(formatPath(this.segs), kind, primary, shadow, keys);
  }

  private ignored(): boolean {
    return this.ignore.matches(this.segs);
  }

  walk(p: unknown, s: unknown): void {
    if (this.out.stopped || this.ignored()) return;
    const tp = jsonType(p);
    const ts = jsonType(s);
    if (tp !== ts) {
      this.emit('type', p, s);
      return;
    }
    switch (tp) {
      case 'number': {
        const a = p as number | ExactInteger;
        const b = s as number | ExactInteger;
        const gap = exactGap(a, b); // (null: two doubles, or a fraction beside an ExactInteger)
        if (gap === null ? a !== b && !withinTolerance(approximately(a), approximately(b), this.tolerance) : gap > this.tolerance) this.emit('value', p, s);
        return;
      }
      case 'string':
      case 'boolean':
        if (p !== s) this.emit('value', p, s);
        return;
      case 'null':
        return;
      case 'array':
        if (this.unordered.matches(this.segs)) this.multiset(p as unknown[], s as unknown[]);
        else this.positional(p as unknown[], s as unknown[]);
        return;
      case 'object':
        this.object(p as Record<string, unknown>, s as Record<string, unknown>);
        return;
    }
  }

  private child(seg: PathSegment, fn: () => void): void {
    this.segs.push(seg);
    try {
      fn();
    } finally {
      this.segs.pop();
    }
  }

  private onlyOne(seg: PathSegment, kind: 'missing' | 'extra', value: unknown): void {
    this.child(seg, () => {
      if (!this.out.stopped && !this.ignored()) {
        this.emit(kind, kind === 'missing' ? value : undefined, kind === 'extra' ? value : undefined);
      }
    });
  }

  private object(p: Record<string, unknown>, s: Record<string, unknown>): void {
    for (const k of Object.keys(p)) {
      if (this.out.stopped) return;
      if (Object.hasOwn(s, k)) this.child(k, () => this.walk(p[k], s[k]));
      else this.onlyOne(k, 'missing', p[k]);
    }
    for (const k of Object.keys(s)) {
      if (this.out.stopped) return;
      if (!Object.hasOwn(p, k)) this.onlyOne(k, 'extra', s[k]);
    }
  }

  private positional(p: unknown[], s: unknown[]): void {
    const n = Math.min(p.length, s.length);
    for (let i = 0; i < n && !this.out.stopped; i++) this.child(i, () => this.walk(p[i], s[i]));
    for (let i = n; i < p.length && !this.out.stopped; i++) this.onlyOne(i, 'missing', p[i]);
    for (let i = n; i < s.length && !this.out.stopped; i++) this.onlyOne(i, 'extra', s[i]);
  }

  /** Canonical JSON of the value at the current path, as the diff sees it (ignore, unordered). */
  private canon(v: unknown): string {
    if (this.ignored()) return '~';
    if (v === null || typeof v !== 'object') return canonicalJson(v);
    const segs = this.segs;
    if (Array.isArray(v)) {
      const parts: string[] = new Array<string>(v.length);
      for (let i = 0; i < v.length; i++) {
        segs.push(i);
        parts[i] = this.canon(v[i]);
        segs.pop();
      }
      if (this.unordered.matches(segs)) parts.sort(compareText);
      return '[' + parts.join(',') + ']';
    }
    const o = v as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(o).sort()) {
      segs.push(k);
      if (!this.ignored()) parts.push(JSON.stringify(k) + ':' + this.canon(o[k]));
      segs.pop();
    }
    return '{' + parts.join(',') + '}';
  }

  private multiset(p: unknown[], s: unknown[]): void {
    const keyAt = (arr: unknown[], i: number): string => {
      this.segs.push(i);
      const c = this.canon(arr[i]);
      this.segs.pop();
      return c;
    };
    const pKeys = p.map((_, i) => keyAt(p, i));
    const sKeys = s.map((_, i) => keyAt(s, i));

    const waiting = new Map<string, number[]>();
    sKeys.forEach((k, j) => {
      const q = waiting.get(k);
      if (q) q.push(j);
      else waiting.set(k, [j]);
    });
    const leftP: number[] = [];
    pKeys.forEach((k, i) => {
      const q = waiting.get(k);
      if (q && q.length > 0) q.shift();
      else leftP.push(i);
    });
    const leftS = [...waiting.values()].flat().sort((a, b) => a - b);

    const order = (arr: unknown[], keys: string[]) => (a: number, b: number): number => {
      const va = arr[a];
      const vb = arr[b];
      const ta = jsonType(va);
      const tb = jsonType(vb);
      if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
      if (ta === 'number') return approximately(va as number | ExactInteger) - approximately(vb as number | ExactInteger) || a - b;
      if (ta === 'string') return compareText(va as string, vb as string) || a - b;
      return compareText(keys[a]!, keys[b]!) || a - b;
    };
    leftP.sort(order(p, pKeys));
    leftS.sort(order(s, sKeys));

    const n = Math.min(leftP.length, leftS.length);
    for (let k = 0; k < n && !this.out.stopped; k++) {
      const i = leftP[k]!;
      const j = leftS[k]!;
      this.child(i, () => this.walk(p[i], s[j]));
    }
    for (let k = n; k < leftP.length && !this.out.stopped; k++) this.onlyOne(leftP[k]!, 'missing', p[leftP[k]!]);
    for (let k = n; k < leftS.length && !this.out.stopped; k++) this.onlyOne(leftS[k]!, 'extra', s[leftS[k]!]);
  }
}
