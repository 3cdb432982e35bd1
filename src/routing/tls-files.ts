// server.tls's files at validation: every certificate and key file is read, and a file that
// cannot be read, is not PEM, or a key that is not its certificate's, is a validation error at
// the YAML position of its key (`cert:` or `key:`). The files are read first (readTlsFiles), then
// checked as a pure step of the validator (tlsFileIssues), so `strangler check` and every load
// report the same errors.

import { toPointer } from '../config/paths.js';
import type { CertKeyPair } from '../config/types.js';
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

export async function readTlsFiles(tls: ResolvedTls): Promise<TlsFileReads> {
  const paths = [...new Set(tlsPairs(tls).flatMap(({ files }) => [files.cert, files.key]))];
  const reads = await Promise.all(paths.map(readOrError));
  return new Map(paths.map((p, i) => [p, reads[i]!]));
}

export function tlsFileIssues(tls: ResolvedTls, reads: TlsFileReads): TlsFileIssue[] {
  const issues: TlsFileIssue[] = [];
  const read = (file: string): FileRead => reads.get(file) ?? new Error('not read');
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
