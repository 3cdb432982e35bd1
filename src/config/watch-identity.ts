// What the watched config path resolves to right now (watch.ts compares these between checks):
// the realpath, device + inode, size, mtime and a SHA-256 of the content, plus which names in its
// directory can re-point it (the symlink hops of a Kubernetes ConfigMap). Synchronous on purpose
// (see watch.ts), but for the steady poll's cheap identity (quickIdentity), read asynchronously.

import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { readFileSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';

const HASH_LIMIT_BYTES = 4 * 1024 * 1024;
const MAX_SYMLINK_HOPS = 16;

export interface Snapshot {
  /** What the path resolves to, as a comparable string. */
  readonly identity: string;
  /** Names inside the home directory whose events matter. */
  readonly homeNames: ReadonlySet<string>;
  readonly homeId: string | null;
  /** The identity the steady poll compares (quickIdentity's, taken here with the rest). */
  readonly quick: string;
  /** The directory the file resolves into, when it is not the home directory. */
  readonly target: { readonly dir: string; readonly id: string | null; readonly name: string } | null;
}

export function snapshot(path: string, home: string, base: string): Snapshot {
  const homeId = dirId(home);
  const homeNames = linkNames(path, home, base);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    return { identity: `missing (${errCode(err)})`, homeNames, homeId, quick: quickMissing(err, homeId), target: null };
  }
  let st: Stats;
  try {
    st = statSync(real);
  } catch (err) {
    return { identity: `unreadable (${errCode(err)}) ${real}`, homeNames, homeId, quick: quickMissing(err, homeId), target: null };
  }
  let hash = '-';
  if (st.isFile() && st.size <= HASH_LIMIT_BYTES) {
    try {
      hash = createHash('sha256').update(readFileSync(real)).digest('hex');
    } catch (err) {
      hash = `unreadable (${errCode(err)})`;
    }
  }
  const file = fileOf(real, st);
  const realDir = dirname(real);
  const target = realDir === home ? null : { dir: realDir, id: dirId(realDir), name: basename(real) };
  return { identity: `${file}|${hash}`, homeNames, homeId, quick: `${file}|${homeId}`, target };
}

/** What the path resolves to, its device + inode, size and mtime (no read): `identity` adds the
 *  content's hash, the steady poll's `quick` the home directory's id. */
function fileOf(real: string, st: Stats): string {
  return [real, `${st.dev}:${st.ino}`, st.size, st.mtimeMs].join('|');
}

function quickMissing(err: unknown, homeId: string | null): string {
  return `missing (${errCode(err)})|${homeId}`;
}

/** A directory's device + inode, or null (not there, not a directory). */
function idOf(st: Stats): string | null {
  return st.isDirectory() ? `${st.dev}:${st.ino}` : null;
}

/** A cheap identity, for the steady poll: what the path resolves to (realpath, device + inode,
 *  size, mtime) and the home directory's device + inode; no read of the content. Asynchronous:
 *  a stat that hangs (a network mount) holds a pool thread, never the event loop. */
export async function quickIdentity(path: string, home: string): Promise<string> {
  const homeId = await fs.stat(home).then(idOf, () => null);
  try {
    const real = await fs.realpath(path);
    return `${fileOf(real, await fs.stat(real))}|${homeId}`;
  } catch (err) {
    return quickMissing(err, homeId);
  }
}

/** The names in `home` whose events can change what `path` resolves to: its own name, `..data`
 *  (the ConfigMap convention, also before the link exists), and the first component of every
 *  symlink hop that stays inside `home`. */
function linkNames(path: string, home: string, base: string): Set<string> {
  const names = new Set([base, '..data']);
  let p = path;
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
    let link: string;
    try {
      link = readlinkSync(p);
    } catch {
      break; // not a symlink (or gone): the chain ends here
    }
    const next = resolve(dirname(p), link);
    const rel = relative(home, next);
    if (rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) {
      names.add(rel.split(sep)[0] as string);
    }
    p = next;
  }
  return names;
}

function dirId(dir: string): string | null {
  try {
    const st = statSync(dir);
    return idOf(st);
  } catch {
    return null;
  }
}

export function displayPath(home: string, p: string): string {
  const rel = relative(home, p);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel) ? rel : p;
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | null)?.code ?? 'error';
}
