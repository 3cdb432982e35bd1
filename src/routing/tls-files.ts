// server.tls's files (and the upstreams' tls files, upstream-tls.ts) at validation: every
// certificate and key file is read, and a file that cannot be read, is not PEM, a key that is not
// its certificate's, or a pair OpenSSL will not serve (tls-material.ts), is a validation error at
// the YAML position of its key (`cert:` or `key:`). The files are read first (readTlsFiles), then
// checked as a pure step of the validator (tlsFileIssues), so `strangler check` and every load
// report the same errors.

import { toPointer } from '../config/paths.js';
import type { CertKeyPair, UpstreamConfig } from '../config/types.js';
import { upstreamTlsIssues, upstreamTlsPaths } from './upstream-tls.js';
import { checkPair, readOrError, type FileRead } from '../edge/tls-material.js';
import type { ResolvedTls } from './defaults.js';

export type TlsFileReads = ReadonlyMap<string, FileRead>;

export interface TlsFileIssue {
  readonly pointer: string;
  readonly message: string;
  readonly at: 'key';
}

/** Each pair of server.tls with its place in the file: the default one, then `certificates`. */
export function tlsPairs(tls: ResolvedTls): { readonly files: CertKeyPair; readonly at: readonly (string | number)[] }[] {
  return [
    { files: { cert: tls.cert, key: tls.key }, at: ['server', 'tls'] },
    ...tls.certificates.map((files, i) => ({ files, at: ['server', 'tls', 'certificates', i] })),
  ];
}

/** Every file server.tls and the upstreams' tls name (none: nothing to read). */
export function tlsFilePaths(tls: ResolvedTls | null, upstreams: ReadonlyMap<string, UpstreamConfig>): string[] {
  const server = tls === null ? [] : tlsPairs(tls).flatMap(({ files }) => [files.cert, files.key]);
  return [...new Set([...server, ...upstreamTlsPaths(upstreams)])];
}

export async function readTlsFiles(paths: readonly string[]): Promise<TlsFileReads> {
  const reads = await Promise.all(paths.map(readOrError));
  return new Map(paths.map((p, i) => [p, reads[i]!]));
}

/** What is wrong with the files of server.tls and of the upstreams' tls. */
export function tlsFileIssues(tls: ResolvedTls | null, upstreams: ReadonlyMap<string, UpstreamConfig>, reads: TlsFileReads): TlsFileIssue[] {
  const read = readerOf(reads);
  return [...(tls === null ? [] : serverTlsIssues(tls, read)), ...upstreamTlsIssues(upstreams, read)];
}

export function readerOf(reads: TlsFileReads): (file: string) => FileRead {
  return (file) => reads.get(file) ?? new Error('not read');
}

function serverTlsIssues(tls: ResolvedTls, read: (file: string) => FileRead): TlsFileIssue[] {
  const issues: TlsFileIssue[] = [];
  for (const { files, at } of tlsPairs(tls)) {
    const checked = checkPair(files, read(files.cert), read(files.key));
    if (checked.ok) {
      if (at.length > 2 && checked.pair.names.length === 0) {
        issues.push({ pointer: toPointer([...at, 'cert']), message: `the certificate in ${files.cert} has no DNS name in subjectAltName: SNI could never choose it`, at: 'key' });
      }
      continue;
    }
    for (const p of checked.problems) issues.push({ pointer: toPointer([...at, p.which]), message: p.message, at: 'key' });
  }
  return issues;
}
