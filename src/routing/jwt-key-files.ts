// A jwt authenticator's `publicKey` file, checked at validation like server.tls's files
// (tls-files.ts): read with them, and a file that cannot be read or does not parse as a public
// key is a validation error at the YAML position of `auth.NAME.jwt.publicKey`.

import { createPublicKey } from 'node:crypto';
import { toPointer } from '../config/paths.js';
import { readProblem, type FileRead } from '../edge/tls-material.js';
import type { EffectiveAuthenticator } from './types.js';

export interface KeyFileIssue {
  readonly pointer: string;
  readonly message: string;
  readonly at: 'key';
}

/** Every jwt authenticator's publicKey file (absolute). */
export function jwtKeyPaths(auth: ReadonlyMap<string, EffectiveAuthenticator>): string[] {
  return [...auth.values()].flatMap((a) => (a.kind === 'jwt' && a.publicKey !== null ? [a.publicKey] : []));
}

export function jwtKeyIssues(auth: ReadonlyMap<string, EffectiveAuthenticator>, read: (file: string) => FileRead): KeyFileIssue[] {
  const issues: KeyFileIssue[] = [];
  for (const [name, a] of auth) {
    if (a.kind !== 'jwt' || a.publicKey === null) continue;
    const problem = publicKeyProblem(a.publicKey, read(a.publicKey));
    if (problem !== null) issues.push({ pointer: toPointer(['auth', name, 'jwt', 'publicKey']), message: problem, at: 'key' });
  }
  return issues;
}

function publicKeyProblem(file: string, bytes: FileRead): string | null {
  if (bytes instanceof Error) return readProblem('public key', file, bytes);
  try {
    if (!bytes.includes('-----BEGIN ')) throw new Error('no PEM block');
    createPublicKey(bytes);
    return null;
  } catch (err) {
    return `the public key file ${file} is not a PEM public key (${err instanceof Error ? err.message : String(err)})`;
  }
}
