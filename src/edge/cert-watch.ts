// server.tls's certificate and key files, watched by polling: a replaced file is read, checked
// (tls-material.ts) and, when every pair is good, served to new handshakes; a bad replacement
// (unreadable, not PEM, a key that is not its certificate's, a pair OpenSSL will not serve) keeps the previous certificates live
// and logs every problem, one line each, once per content. A change is acted on when two polls
// in a row read the same bytes, so a certificate written a moment before its key is not reported
// as a mismatch: with the default interval (1 s) a replacement is served within 3 s.

import { createHash } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import { LOG } from '../observability/log-messages.js';
import type { ResolvedTls } from '../routing/defaults.js';
import { tlsPairs } from '../routing/tls-files.js';
import { checkPair, readPairFiles, reasonOf, type FileRead, type TlsPair } from './tls-material.js';
import type { TlsMaterial } from './tls-server.js';

export const CERT_POLL_MS = 1_000;

export type MaterialRead =
  | { readonly ok: true; readonly material: TlsMaterial; readonly fingerprint: string }
  | { readonly ok: false; readonly problems: readonly { readonly file: string; readonly message: string }[]; readonly fingerprint: string };

/** Reads and checks every pair of server.tls. */
export async function readTlsMaterial(tls: ResolvedTls): Promise<MaterialRead> {
  return checkTlsFiles(await readTlsFiles(tls));
}

/** server.tls's files as read (bytes, or why not), pair by pair, and a fingerprint of them all. */
export interface TlsFiles {
  readonly pairs: ReturnType<typeof tlsPairs>;
  readonly reads: readonly (readonly [FileRead, FileRead])[];
  readonly fingerprint: string;
}

export async function readTlsFiles(tls: ResolvedTls): Promise<TlsFiles> {
  const pairs = tlsPairs(tls);
  const reads = await Promise.all(pairs.map(({ files }) => readPairFiles(files)));
  return { pairs, reads, fingerprint: fingerprintOf(reads.flat()) };
}

/** Checks every pair read (tls-material.ts: parsed, matched, and a TLS context built of it). */
export function checkTlsFiles({ pairs, reads, fingerprint }: TlsFiles): MaterialRead {
  const good: TlsPair[] = [];
  const problems: { file: string; message: string }[] = [];
  pairs.forEach(({ files }, i) => {
    const r = checkPair(files, ...reads[i]!);
    if (r.ok) good.push(r.pair);
    else problems.push(...r.problems.map((p) => ({ file: files[p.which], message: p.message })));
  });
  if (problems.length > 0) return { ok: false, problems, fingerprint };
  return { ok: true, material: { main: good[0]!, extra: good.slice(1) }, fingerprint };
}

export interface CertWatchOptions {
  readonly tls: ResolvedTls;
  readonly logger: Logger;
  /** The fingerprint of the material served now (readTlsMaterial's). */
  readonly served: string;
  readonly onChange: (material: TlsMaterial) => void;
  readonly intervalMs?: number;
  /** How a poll reads the files, and how bytes not seen before are checked (tests count them). */
  readonly read?: (tls: ResolvedTls) => Promise<TlsFiles>;
  readonly check?: (files: TlsFiles) => MaterialRead;
}

/** Starts polling; returns the function that stops it. */
export function watchCertificates(opts: CertWatchOptions): () => void {
  const { tls, logger, read: readFiles = readTlsFiles, check = checkTlsFiles } = opts;
  let served = opts.served;
  let seen = served;
  let reported = served;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  // Each poll reads the files; only bytes not seen before are checked (parsing them and building
  // a TLS context cost ~3 ms of CPU, where reading them costs ~0.5 ms).
  const poll = async (): Promise<void> => {
    const files = await readFiles(tls);
    if (stopped) return;
    const { fingerprint } = files;
    const settled = fingerprint === seen;
    seen = fingerprint;
    if (fingerprint === served) reported = served; // back to what is served: a bad file again is news
    if (!settled || fingerprint === served || fingerprint === reported) return;
    reported = fingerprint;
    const read = check(files);
    if (read.ok) {
      try {
        opts.onChange(read.material);
      } catch (err) {
        // Not served (the contexts could not be built): the previous material stays, as for a bad file.
        logger.error({ msg: LOG.tlsCertificateRejected, file: read.material.main.certFile, problem: reasonOf(err) });
        return;
      }
      served = read.fingerprint;
      logger.info({ msg: LOG.tlsCertificatesReloaded, certificates: [read.material.main, ...read.material.extra].map((p) => p.certFile) });
      return;
    }
    for (const p of read.problems) logger.error({ msg: LOG.tlsCertificateRejected, file: p.file, problem: p.message });
  };
  const pollSafely = (): Promise<void> =>
    poll().catch((err: unknown) => logger.error({ msg: LOG.tlsCertificateRejected, file: tls.cert, problem: `the certificate files could not be checked: ${reasonOf(err)}` }));
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void pollSafely().finally(schedule), opts.intervalMs ?? CERT_POLL_MS);
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}

function fingerprintOf(reads: readonly FileRead[]): string {
  const hash = createHash('sha256');
  for (const r of reads) {
    const part = r instanceof Error ? Buffer.from(`error:${(r as NodeJS.ErrnoException).code ?? r.message}`) : r;
    hash.update(String(part.length)).update(':').update(part);
  }
  return hash.digest('hex');
}
