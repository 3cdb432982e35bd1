// YAML text -> plain JSON-like data plus a position table.
//
// The data is what the schema validates; the table maps every JSON pointer in it to where the
// node sits in the file (its value, and its key when it is a mapping entry), so an error about
// `/routes/2/retry/attempts` can say `routes.yaml:12:17 routes[2].retry.attempts`.
// Aliases are followed (with a guard against cycles and alias bombs); merge keys (`<<`) are not
// enabled, so `<<` is an ordinary (and therefore unknown) key.

import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { toDisplayPath, toPointer, type Segment } from './paths.js';

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface NodeInfo {
  /** `routes[2].retry.attempts` */
  readonly path: string;
  /** Where the value starts. */
  readonly value: Position;
  /** Where the key starts, for a mapping entry. */
  readonly key?: Position;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A problem found while reading the YAML, before any schema. `pointer` is undefined when the
 *  problem has no node (a syntax error): then `position` locates it. */
export interface TreeIssue {
  readonly pointer?: string;
  readonly position?: Position;
  readonly message: string;
  /** Which position of the node to report: its key (entry) or its value. */
  readonly at?: 'key' | 'value';
}

export interface YamlTree {
  /** Undefined when the text could not be turned into data at all. */
  readonly data: Json | undefined;
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  readonly issues: readonly TreeIssue[];
}

/** More nodes than this (after following aliases) is an alias bomb, not a routes file. */
const MAX_NODES = 100_000;

export function readYamlTree(text: string): YamlTree {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const nodes = new Map<string, NodeInfo>();
  const issues: TreeIssue[] = [];

  // After a real syntax error the tree is a guess; schema errors about it would be noise, so
  // syntax errors are reported alone. Duplicate keys leave a sound tree (the first occurrence is
  // kept), so validation goes on and the walk below reports them with their YAML path.
  const fatal = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
  if (fatal) {
    for (const e of doc.errors) issues.push({ position: at(e.pos[0]), message: yamlMessage(e.code, e.message, text, e.pos) });
    return { data: undefined, nodes, issues };
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    issues.push({ position: { line: 1, column: 1 }, message: 'the file is empty: expected a mapping with upstreams and routes' });
    return { data: undefined, nodes, issues };
  }
  if (!isMap(root)) {
    issues.push({
      position: root.range ? at(root.range[0]) : { line: 1, column: 1 },
      message: `the top level must be a mapping with upstreams and routes (got ${isSeq(root) ? 'a list' : 'a scalar'})`,
    });
    return { data: undefined, nodes, issues };
  }

  // Warnings (an unknown tag such as `!env`, whose value would be read as a plain string) are
  // errors too: a config file should mean exactly what it says.
  for (const w of doc.warnings) issues.push({ position: at(w.pos[0]), message: yamlMessage(w.code, w.message, text, w.pos) });

  let count = 0;
  let bomb: TreeIssue | undefined;
  const onStack = new Set<Node>();

  const walk = (node: unknown, segments: Segment[], key: Position | undefined, ownPos: Position | undefined): Json => {
    if (bomb) return null;
    const pointer = toPointer(segments);
    const valuePos = ownPos ?? posOf(node) ?? key ?? { line: 1, column: 1 };
    if (++count > MAX_NODES) {
      bomb = { position: valuePos, message: `too many nodes (over ${MAX_NODES}) after following aliases` };
      return null;
    }
    nodes.set(pointer, { path: toDisplayPath(segments), value: valuePos, ...(key ? { key } : {}) });
    let target = node;
    if (isAlias(target)) {
      const alias = target;
      target = alias.resolve(doc as Document);
      if (target === undefined) {
        issues.push({ pointer, message: `unknown alias '*${alias.source}'`, at: 'value' });
        return null;
      }
    }
    if (target === undefined || target === null) return null;
    if (onStack.has(target as Node)) {
      issues.push({ pointer, message: 'this alias refers to a node that contains it', at: 'value' });
      return null;
    }
    if (isScalar(target)) return scalarValue(target.value);
    if (isMap(target)) {
      onStack.add(target);
      const out: { [key: string]: Json } = {};
      for (const pair of target.items) {
        if (!isPair(pair)) continue;
        const k = pair.key;
        const kPos = posOf(k) ?? valuePos;
        const kVal = isScalar(k) ? k.value : undefined;
        if (kVal === undefined || (kVal !== null && typeof kVal === 'object')) {
          issues.push({ pointer, position: kPos, message: 'mapping keys must be plain scalars (strings or numbers)', at: 'key' });
          continue;
        }
        const name = kVal === null ? '' : String(kVal);
        if (Object.prototype.hasOwnProperty.call(out, name)) {
          const first = nodes.get(toPointer([...segments, name]))?.key;
          issues.push({
            position: kPos,
            pointer: toPointer([...segments, name]),
            message: `duplicate key '${name}'${first ? ` (first defined at line ${first.line})` : ''}`,
            at: 'key',
          });
          continue;
        }
        // A value-less entry (`key:`) has a zero-width null scalar just after the colon; point at it.
        const v = walk(pair.value, [...segments, name], kPos, undefined);
        Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
      }
      onStack.delete(target);
      return out;
    }
    if (isSeq(target)) {
      onStack.add(target);
      const out: Json[] = target.items.map((item, i) => walk(item, [...segments, i], undefined, undefined));
      onStack.delete(target);
      return out;
    }
    return null;
  };

  const posOf = (n: unknown): Position | undefined => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    return range ? at(range[0]) : undefined;
  };

  const data = walk(root, [], undefined, { line: 1, column: 1 });
  if (bomb) return { data: undefined, nodes, issues: [...issues, bomb] };
  // The root "value" position is 1:1 so that root-level problems read routes.yaml:1:1; its first
  // key is where a person looks anyway.
  return { data, nodes, issues };
}

function scalarValue(v: unknown): Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}

function yamlMessage(code: string, message: string, text: string, pos: [number, number]): string {
  if (code === 'DUPLICATE_KEY') {
    // (pos may cover only the key's first character: the key is read up to its colon.)
    const key = /^\s*("[^"\n]*"|'[^'\n]*'|[^:#\n]*?)\s*:/.exec(text.slice(pos[0]))?.[1] ?? text.slice(pos[0], pos[1]).trim();
    return key ? `duplicate key '${key.replace(/^(["'])(.*)\1$/, '$2')}'` : 'duplicate key';
  }
  if (code === 'TAG_RESOLVE_FAILED') return `unsupported tag: ${message.replace(/^.*?tag:\s*/i, '')}`;
  if (code === 'MULTIPLE_DOCS') return "the file must hold a single YAML document (remove the second '---')";
  const m = message.replace(/\s+/g, ' ').trim();
  return `YAML syntax: ${m.charAt(0).toLowerCase()}${m.slice(1)}`;
}
