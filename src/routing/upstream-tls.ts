// An upstream's `tls:` from paths to what its pool connects with. Its paths are made absolute
// against the routes file's folder (resolveUpstreamTls, in the effective step); the files are read
// with server.tls's (tls-files.ts) and checked here: the CA file holds PEM certificates, a client
// certificate parses and its key is its own. A file that fails is a validation error at its key.
// Pure over the files' bytes: the material the pool needs (upstreamTlsMaterial) is made from the
// same reads, so whatever validation accepted is what connects.

import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { toPointer } from '../config/paths.js';
import type { UpstreamConfig, UpstreamTlsConfig } from '../config/types.js';
import { checkPair, readProblem, type FileRead } from '../edge/tls-material.js';

/** What an upstream's pool connects with (paths read); trusted CAs besides the system's. */
export interface UpstreamTlsMaterial {
  readonly ca: Buffer | null;
  readonly cert: Buffer | null;
  readonly key: Buffer | null;
  readonly servername: string | null;
  readonly insecureSkipVerify: boolean;
}

/** An upstream as written, its tls paths absolute, and (once its files are read) their material. */
export interface ResolvedUpstream extends UpstreamConfig {
  readonly tlsMaterial?: UpstreamTlsMaterial;
}

export function resolveUpstreamTls(u: UpstreamConfig, baseDir: string): UpstreamConfig {
  if (u.tls === undefined) return u;
  const at = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(baseDir, p));
  const tls: UpstreamTlsConfig = { ...u.tls, ca: at(u.tls.ca), cert: at(u.tls.cert), key: at(u.tls.key) };
  return { ...u, tls: JSON.parse(JSON.stringify(tls)) as UpstreamTlsConfig }; // drops the undefined keys
}

/** The files of every upstream's tls. */
export function upstreamTlsPaths(upstreams: ReadonlyMap<string, UpstreamConfig>): string[] {
  return [...upstreams.values()].flatMap((u) => [u.tls?.ca, u.tls?.cert, u.tls?.key].filter((p): p is string => p !== undefined));
}

/** A problem with one of the files, at its key (tls-files.ts's TlsFileIssue). */
interface FileIssue {
  readonly pointer: string;
  readonly message: string;
  readonly at: 'key';
}

export function upstreamTlsIssues(upstreams: ReadonlyMap<string, UpstreamConfig>, read: (file: string) => FileRead): FileIssue[] {
  const issues: FileIssue[] = [];
  for (const [name, u] of upstreams) {
    const tls = u.tls;
    if (tls === undefined) continue;
    const at = (key: string): string => toPointer(['upstreams', name, 'tls', key]);
    if (tls.ca !== undefined) {
      const problem = caProblem(tls.ca, read(tls.ca));
      if (problem !== null) issues.push({ pointer: at('ca'), message: problem, at: 'key' });
    }
    if (tls.cert !== undefined && tls.key !== undefined) {
      const checked = checkPair({ cert: tls.cert, key: tls.key }, read(tls.cert), read(tls.key));
      if (!checked.ok) for (const p of checked.problems) issues.push({ pointer: at(p.which), message: p.message, at: 'key' });
    }
  }
  return issues;
}

/** The upstreams with their material, once upstreamTlsIssues found nothing. */
export function withUpstreamTls(upstreams: ReadonlyMap<string, UpstreamConfig>, read: (file: string) => FileRead): Map<string, ResolvedUpstream> {
  const bytes = (file: string | undefined): Buffer | null => {
    if (file === undefined) return null;
    const b = read(file);
    return b instanceof Error ? null : b;
  };
  return new Map(
    [...upstreams].map(([name, u]) => {
      if (u.tls === undefined) return [name, u];
      const tlsMaterial: UpstreamTlsMaterial = {
        ca: bytes(u.tls.ca),
        cert: bytes(u.tls.cert),
        key: bytes(u.tls.key),
        servername: u.tls.servername ?? null,
        insecureSkipVerify: u.tls.insecureSkipVerify === true,
      };
      return [name, { ...u, tlsMaterial }];
    }),
  );
}

function caProblem(file: string, read: FileRead): string | null {
  if (read instanceof Error) return readProblem('CA', file, read);
  const blocks = read.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return `the CA file ${file} holds no PEM certificate`;
  for (const [i, pem] of blocks.entries()) {
    try {
      new X509Certificate(pem);
    } catch (err) {
      return `certificate ${i + 1} in the CA file ${file} does not parse (${(err as Error).message})`;
    }
  }
  return null;
}
