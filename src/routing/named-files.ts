// The files a routes.yaml names (server.tls's certificates and keys, the upstreams' tls files,
// the jwt authenticators' public keys), read off the file's data as written, before or without
// validation: so that a file with other errors has its unreadable files reported in the same
// round (all errors at once), not in the next one. Pure; source.ts reads them.

import path from 'node:path';
import { toPointer, type Segment } from '../config/paths.js';
import type { Json } from '../config/yaml-tree.js';
import { readProblem, type FileRead } from '../edge/tls-material.js';

export interface NamedFile {
  readonly pointer: string;
  /** As readProblem words it: `certificate`, `key`, `CA`, `public key`. */
  readonly what: string;
  /** Absolute (relative ones are resolved against the routes file's folder). */
  readonly file: string;
}

type Obj = { readonly [k: string]: Json };
const obj = (v: Json | undefined): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

/** Every file path the data names where a path belongs (a string there; anything else is a schema error already). */
export function namedFiles(data: Json, baseDir: string): NamedFile[] {
  const out: NamedFile[] = [];
  const add = (holder: Obj | undefined, key: string, what: string, at: Segment[]): void => {
    const v = holder?.[key];
    if (typeof v === 'string' && v !== '') out.push({ pointer: toPointer([...at, key]), what, file: path.resolve(baseDir, v) });
  };
  const root = obj(data);
  const tls = obj(obj(root?.['server'])?.['tls']);
  add(tls, 'cert', 'certificate', ['server', 'tls']);
  add(tls, 'key', 'key', ['server', 'tls']);
  const extra = tls?.['certificates'];
  if (Array.isArray(extra)) extra.forEach((c, i) => {
    add(obj(c), 'cert', 'certificate', ['server', 'tls', 'certificates', i]);
    add(obj(c), 'key', 'key', ['server', 'tls', 'certificates', i]);
  });
  for (const [name, u] of Object.entries(obj(root?.['upstreams']) ?? {})) {
    const t = obj(obj(u)?.['tls']);
    add(t, 'ca', 'CA', ['upstreams', name, 'tls']);
    add(t, 'cert', 'certificate', ['upstreams', name, 'tls']);
    add(t, 'key', 'key', ['upstreams', name, 'tls']);
  }
  for (const [name, a] of Object.entries(obj(root?.['auth']) ?? {})) add(obj(obj(a)?.['jwt']), 'publicKey', 'public key', ['auth', name, 'jwt']);
  return out;
}

/** The named files that could not be read, as validation issues at their keys. */
export function unreadable(files: readonly NamedFile[], read: (file: string) => FileRead): { pointer: string; message: string; at: 'key' }[] {
  return files.flatMap((f) => {
    const got = read(f.file);
    return got instanceof Error ? [{ pointer: f.pointer, message: readProblem(f.what, f.file, got), at: 'key' as const }] : [];
  });
}
