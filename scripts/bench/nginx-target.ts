// nginx as a reverse proxy (only when installed): generated config in a temp dir, daemon off,
// 1 worker, pinned like the other proxies, started as the current user.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './cpu.js';
import { nginxConf } from './nginx-config.js';
import { freePort, pgidOf, spawnChild, waitForHttpOk } from './procs.js';
import type { Target } from './target.js';

export function nginxVersion(): string | null {
  if (!hasCommand('nginx')) return null;
  try {
    const out = execFileSync('sh', ['-c', 'nginx -v 2>&1'], { encoding: 'utf8' });   // it prints on stderr
    return /nginx\/(\S+)/.exec(out)?.[1] ?? '?';
  } catch {
    return '?';
  }
}

function supportsErrorLogFlag(): boolean {
  try {
    const r = execFileSync('sh', ['-c', 'nginx -h 2>&1'], { encoding: 'utf8' });
    return /-e filename/.test(r);
  } catch {
    return false;
  }
}

function currentUserAndGroup(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;   // "user" only matters when started as root
  const user = userInfo().username;
  let group = user;
  try { group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim() || user; } catch { /* keep */ }
  return `${user} ${group}`;
}

export const nginxTarget: Target = {
  key: 'nginx',
  name: 'nginx',
  unavailable: () => (hasCommand('nginx') ? null : 'nginx not installed (apt-get install -y nginx)'),
  async start(ctx) {
    const port = await freePort();
    const dir = join(ctx.tmpDir, `nginx-${port}`);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'nginx.conf');
    const user = currentUserAndGroup();
    writeFileSync(conf, nginxConf({ dir, port, upstreamHostPort: new URL(ctx.upstreamUrl).host, ...(user ? { user } : {}) }));
    const args = ['-c', conf, '-p', dir + '/', ...(supportsErrorLogFlag() ? ['-e', join(dir, 'nginx-error.log')] : [])];
    const child = spawnChild('nginx', 'nginx', args, { cpu: ctx.pinning.proxyCpu, stderrFile: join(dir, 'stderr') });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttpOk(url + ctx.readyPath, child, 10_000);
    } catch (err) {
      await child.stop();
      throw err;
    }
    return { url, ...pgidOf(child), stop: () => child.stop() };
  },
};
