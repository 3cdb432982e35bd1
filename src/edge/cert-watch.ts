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
  const pairs = tlsPairs(tls);
  const reads = await Promise.all(pairs.map(({ files }) => readPairFiles(files)));
  const fingerprint = fingerprintOf(reads.flat());
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
}

/** Starts polling; returns the function that stops it. */
export function watchCertificates(opts: CertWatchOptions): () => void {
  const { tls, logger } = opts;
  let served = opts.served;
  let seen = served;
  let reported = served;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const poll = async (): Promise<void> => {
    const read = await readTlsMaterial(tls);
    if (stopped) return;
    const settled = read.fingerprint === seen;
    seen = read.fingerprint;
    if (read.fingerprint === served) reported = served; // back to what is served: a bad file again is news
    if (!settled || read.fingerprint === served || read.fingerprint === reported) return;
    reported = read.fingerprint;
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
