// A private certificate authority for the tests and the bench's TLS rows, made with the openssl
// command line (Debian's openssl, which scripts/ensure-test-deps.sh installs when missing): a CA,
// then leaf certificates signed by it for the names asked for (server or client certificates).
// Files land in a temporary directory (or `dir`) the caller removes with `cleanup()`.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface IssuedCert {
  /** PEM files on disk. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The same, read. */
  readonly cert: string;
  readonly key: string;
}

export interface LeafOptions {
  /** Subject alternative names: DNS names, or IP addresses (`127.0.0.1`). */
  readonly names: readonly string[];
  /** Validity in days (default 30). */
  readonly days?: number;
  /** A client certificate (extendedKeyUsage clientAuth) instead of a server one. */
  readonly client?: boolean;
  /** File name stem (default: the first name). */
  readonly stem?: string;
}

export class TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly caKeyFile: string;
  readonly ca: string;
  #serial = 1;

  constructor(commonName = 'strangler test CA', dir?: string) {
    this.dir = dir ?? mkdtempSync(path.join(tmpdir(), 'strangler-pki-'));
    this.caKeyFile = path.join(this.dir, 'ca.key');
    this.caFile = path.join(this.dir, 'ca.crt');
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', this.caKeyFile]);
    openssl([
      'req', '-x509', '-new', '-key', this.caKeyFile, '-sha256', '-days', '30', '-subj', `/CN=${commonName}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-out', this.caFile,
    ]);
    this.ca = readFileSync(this.caFile, 'utf8');
  }

  /** A leaf certificate signed by this CA. */
  issue(opts: LeafOptions): IssuedCert {
    const stem = (opts.stem ?? opts.names[0]!).replace(/[^A-Za-z0-9.-]/g, '_');
    const keyFile = path.join(this.dir, `${stem}.key`);
    const csrFile = path.join(this.dir, `${stem}.csr`);
    const certFile = path.join(this.dir, `${stem}.crt`);
    const extFile = path.join(this.dir, `${stem}.ext`);
    const san = opts.names.map((n) => (/^[0-9.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    writeFileSync(
      extFile,
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        `extendedKeyUsage=${opts.client === true ? 'clientAuth' : 'serverAuth'}`,
        `subjectAltName=${san}`,
      ].join('\n') + '\n',
    );
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
    openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${opts.names[0]}`, '-out', csrFile]);
    openssl([
      'x509', '-req', '-in', csrFile, '-CA', this.caFile, '-CAkey', this.caKeyFile, '-set_serial', String(this.#serial++),
      '-days', String(opts.days ?? 30), '-sha256', '-extfile', extFile, '-out', certFile,
    ]);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }

  /** A self-signed RSA-512 pair for `name`: it parses and matches, but OpenSSL refuses to serve it
   *  (tls.createSecureContext: "ee key too small"). */
  weakSelfSigned(name: string, stem = `weak-${name}`): IssuedCert {
    const keyFile = path.join(this.dir, `${stem}.key`);
    const certFile = path.join(this.dir, `${stem}.crt`);
    openssl([
      'req', '-x509', '-newkey', 'rsa:512', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${name}`, '-days', '1',
      '-addext', `subjectAltName=DNS:${name}`,
    ]);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (is Debian's openssl installed?): ${stderr || String(err)}`);
  }
}
