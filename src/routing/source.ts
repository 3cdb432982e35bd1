// routes.yaml -> a validated config and its effective routes (config/load.ts with the effective
// step as its last check), or every error with its line and column. What the proxy loads and
// what `strangler check` accepts come through here, so nothing accepted can fail to compile.
// With server.tls, its certificate and key files are read and checked too (tls-files.ts), and so
// are the jwt authenticators' publicKey files (jwt-key-files.ts):
// `loadRoutes` is the one entry that does so; `parseRoutes` alone does no I/O.

import path from 'node:path';
import { parseConfigWith, readConfigText, type Derive, type WhenInvalid } from '../config/load.js';
import { namedFiles, unreadable, type NamedFile } from './named-files.js';
import type { LoadResult } from '../config/types.js';
import { effectiveConfig } from './effective.js';
import { jwtKeyIssues, jwtKeyPaths } from './jwt-key-files.js';
import { readerOf, readTlsFiles, tlsFileIssues, tlsFilePaths, type TlsFileReads } from './tls-files.js';
import { withUpstreamTls } from './upstream-tls.js';
import type { EffectiveConfig } from './types.js';

/** A valid file: its config as written, its version, and its effective routes. */
export type ValidConfig = Extract<LoadResult, { ok: true }> & { readonly effective: EffectiveConfig };
export type Validated = ValidConfig | Extract<LoadResult, { ok: false }>;

/** The effective step; with `tlsFiles`, server.tls's files (as read) are checked as part of it. */
function effectiveStep(file: string, tlsFiles?: TlsFileReads): Derive<EffectiveConfig> {
  return (config) => {
    const r = effectiveConfig(config, path.dirname(path.resolve(file)));
    if (!r.ok) return { ok: false, issues: r.issues };
    if (tlsFiles === undefined) return { ok: true, value: r.effective };
    const issues = [...tlsFileIssues(r.effective.server.tls, r.effective.upstreams, tlsFiles), ...jwtKeyIssues(r.effective.auth, readerOf(tlsFiles))];
    if (issues.length > 0) return { ok: false, issues };
    return { ok: true, value: { ...r.effective, upstreams: withUpstreamTls(r.effective.upstreams, readerOf(tlsFiles)) } };
  };
}

/** Parses, validates and resolves routes.yaml text (no I/O: server.tls's files are not read).
 *  `whenInvalid`: more errors of a file that fails (the files it names that cannot be read). */
export function parseRoutes(text: string, file: string, env: NodeJS.ProcessEnv = process.env, tlsFiles?: TlsFileReads, whenInvalid?: WhenInvalid): Validated {
  const r = parseConfigWith(text, file, env, effectiveStep(file, tlsFiles), whenInvalid);
  return r.ok ? { ok: true, file: r.file, config: r.config, version: r.version, effective: r.derived } : r;
}

/** parseRoutes, then, for a valid file with server.tls, its files read and checked (a second
 *  pass, so their errors are located like every other). An invalid file's named files are read
 *  too, and those that cannot be read reported with its other errors. */
export async function loadRoutes(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Promise<Validated> {
  let named: NamedFile[] = [];
  const noteNamed: WhenInvalid = (data) => {
    named = namedFiles(data, path.dirname(path.resolve(file)));
    return [];
  };
  const first = parseRoutes(text, file, env, undefined, noteNamed);
  if (!first.ok) {
    // Errors of its own: the files it names are read all the same, and one that cannot be read is
    // one more error of this round, not the next one's.
    if (named.length === 0) return first;
    const reads = readerOf(await readTlsFiles([...new Set(named.map((f) => f.file))]));
    return parseRoutes(text, file, env, undefined, () => unreadable(named, reads));
  }
  const keys = jwtKeyPaths(first.effective.auth);
  if (first.effective.server.tls === null && ![...first.effective.upstreams.values()].some((u) => u.tls !== undefined) && keys.length === 0) return first;
  const paths = [...tlsFilePaths(first.effective.server.tls, first.effective.upstreams), ...keys];
  return parseRoutes(text, file, env, await readTlsFiles([...new Set(paths)]));
}

/** Reads a routes.yaml file and loads it; a missing or unreadable file is one error at 1:1. */
export async function loadRoutesFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Validated> {
  const read = await readConfigText(file);
  return 'error' in read ? { ok: false, file, errors: [read.error] } : loadRoutes(read.text, file, env);
}
