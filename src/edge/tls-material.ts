// A certificate and its key, read from PEM files and checked: the certificate parses, the key
// parses, the key is the certificate's, and OpenSSL will serve them (tls.createSecureContext
// builds: a key its security level refuses, RSA-512, is a problem here, not a throw later). What validation (routing/tls-files.ts) reports with the
// YAML position of the key, and what the certificate watcher (cert-watch.ts) checks before it
// serves a replaced file. Pure over the files' bytes; reading them is `readPairFiles`.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { CertKeyPair } from '../config/types.js';

/** A file's bytes, or why it could not be read. */
export type FileRead = Buffer | Error;

/** A usable pair: the PEM text to hand to tls.createSecureContext, and what SNI and metrics need. */
export interface TlsPair {
  readonly certFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** subjectAltName DNS names, lower case (`*.example.com` for a wildcard). */
  readonly names: readonly string[];
  readonly notAfter: Date;
}

export interface PairProblem {
  readonly which: 'cert' | 'key';
  readonly message: string;
}

export type PairResult = { readonly ok: true; readonly pair: TlsPair } | { readonly ok: false; readonly problems: readonly PairProblem[] };

export function checkPair(files: CertKeyPair, cert: FileRead, key: FileRead): PairResult {
  const problems: PairProblem[] = [];
  let x509: X509Certificate | undefined;
  let keyObject: KeyObject | undefined;
  if (cert instanceof Error) problems.push({ which: 'cert', message: readProblem('certificate', files.cert, cert) });
  else {
    try {
      if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM CERTIFICATE block');
      x509 = new X509Certificate(cert);
    } catch (err) {
      problems.push({ which: 'cert', message: `the certificate file ${files.cert} is not a PEM certificate (${messageOf(err)})` });
    }
  }
  if (key instanceof Error) problems.push({ which: 'key', message: readProblem('key', files.key, key) });
  else {
    try {
      if (!key.includes('PRIVATE KEY-----')) throw new Error('no PEM PRIVATE KEY block');
      keyObject = createPrivateKey(key);
    } catch (err) {
      problems.push({ which: 'key', message: `the key file ${files.key} is not a PEM private key (${messageOf(err)})` });
    }
  }
  if (x509 !== undefined && keyObject !== undefined && !x509.checkPrivateKey(keyObject)) {
    problems.push({ which: 'key', message: `the key in ${files.key} does not match the certificate in ${files.cert}` });
  }
  if (problems.length === 0) {
    const refused = contextProblem(cert as Buffer, key as Buffer);
    if (refused !== null) problems.push({ which: 'key', message: `the key in ${files.key} and the certificate in ${files.cert} cannot serve TLS (${refused})` });
  }
  if (problems.length > 0 || x509 === undefined) return { ok: false, problems };
  return {
    ok: true,
    pair: { certFile: files.cert, cert: cert as Buffer, key: key as Buffer, names: dnsNames(x509), notAfter: new Date(x509.validTo) },
  };
}

/** Why OpenSSL refuses to build a TLS context of this pair ("ee key too small"), or null. */
export function contextProblem(cert: Buffer, key: Buffer): string | null {
  try {
    createSecureContext({ cert, key });
    return null;
  } catch (err) {
    return reasonOf(err);
  }
}

/** An OpenSSL error's reason: `error:0A00018F:SSL routines::ee key too small` is `ee key too small`. */
export function reasonOf(err: unknown): string {
  const message = messageOf(err);
  const at = message.lastIndexOf('::');
  return message.startsWith('error:') && at >= 0 ? message.slice(at + 2) : message;
}

/** Reads a pair's two files; a file that cannot be read is its Error. */
export async function readPairFiles(files: CertKeyPair): Promise<[FileRead, FileRead]> {
  return Promise.all([readOrError(files.cert), readOrError(files.key)]);
}

export async function readOrError(file: string): Promise<FileRead> {
  try {
    return await readFile(file);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** The DNS names of subjectAltName (`DNS:a.example, IP Address:127.0.0.1, DNS:*.b.example`). */
function dnsNames(x509: X509Certificate): string[] {
  const san = x509.subjectAltName ?? '';
  return san
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).replace(/^"|"$/g, '').toLowerCase());
}

/** Why a file could not be read, in words (`cannot read the key file F: no such file`). */
export function readProblem(what: string, file: string, err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : err.message;
  return `cannot read the ${what} file ${file}: ${why}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
