// Watches routes.yaml and says when it may have changed. The reloader decides what to do.
//
// What is seen, repeatedly (not only the first time):
// - a write in place (`fs.writeFile`, truncate + write, `cp` over the file, `>` in a shell);
// - an editor's save-by-rename (write `routes.yaml.tmp`, rename it over `routes.yaml`), `mv` over;
// - a Kubernetes ConfigMap update: the directory holds `..<timestamp>/routes.yaml`, a symlink
//   `..data -> ..<timestamp>` and `routes.yaml -> ..data/routes.yaml`; an update writes a new
//   timestamped directory, points `..data_tmp` at it, renames `..data_tmp` over `..data`, then
//   deletes the old directory;
// - the file, or its directory, disappearing and coming back.
//
// How:
// - fs.watch on the file's DIRECTORY (a watch on the file itself follows the old inode and goes
//   deaf after the first rename). Events about other names in that directory are ignored; the
//   names that matter are the file's own name, `..data`, and the first path component of every
//   symlink hop that stays inside the directory (for a ConfigMap: `..data`), re-read at each check.
// - When the file resolves (realpath) into another directory, that directory is watched too, so
//   an in-place write to the symlink's target is seen; that second watch moves with the target.
// - Debounce: events are gathered and one check runs `debounceMs` (default 100) after the last
//   one (trailing), or at the latest `10 * debounceMs` after the first one of a burst that never
//   pauses. 100 ms is much longer than a `writeFile` of a config file takes (one open-write-close),
//   so a normal write has arrived whole when the check runs. A file caught half-written is the
//   reloader's concern: it validates, keeps the good version, and the write's next event retries.
// - The check compares what the path resolves to now with what it resolved to at the last call:
//   realpath, device + inode, size, mtime, and a SHA-256 of the content (files up to 4 MiB; a
//   coarse mtime clock cannot hide a same-size edit). `onChange` runs only when that identity
//   moved: an event about the old ConfigMap directory being deleted, or a symlink re-pointed at
//   the same content, calls nothing. `touch` does call (mtime moved); the reloader ignores an
//   identical version anyway. The first identity is taken synchronously inside watchConfigFile,
//   so start watching BEFORE the initial load: a change between the two is then never lost.
// - Fallback: when a directory cannot be watched (it does not exist, fs.watch throws, e.g. out
//   of inotify watches, or the watcher emits 'error') or a watched directory was removed or
//   replaced (seen as an event naming the directory itself, or its inode changing), the watcher
//   is dropped and a 500 ms poll takes over: each tick re-checks the identity and tries to
//   re-arm fs.watch; once every needed watch is armed again the poll stops. Nothing is logged
//   and nothing throws. After any (re-)arm one more check runs, so a change made while arming
//   is not lost.
// - A steady poll besides, every 500 ms, of a cheap identity (realpath, device + inode, size,
//   mtime, and the home directory's device + inode; no read): what no event reports is still
//   seen within a second. A directory above the file re-pointed by a symlink (`current ->
//   releases/r2`, as Capistrano and similar deploy tools do, or `routes.yaml -> ../cur/...` with
//   `cur` re-pointed): the watch is bound to the old directory's inode and hears nothing. A
//   filesystem whose changes inotify does not see (network and some container mounts).
// - The checks use synchronous fs calls on purpose (a few stats, readlinks and one read of a
//   small file per burst): it keeps the state machine free of interleavings with close().
// - `onChange` should not throw; if it does, the error is swallowed and watching goes on.
// - close() stops every watcher and timer; nothing is left to keep the process alive.

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { displayPath, quickIdentity, snapshot, type Snapshot } from './watch-identity.js';

export interface WatchConfigOptions {
  /** Quiet time after the last event before checking the file. Default 100. */
  readonly debounceMs?: number;
}

export interface ConfigWatcher {
  close(): void;
}

const POLL_MS = 500;
const MAX_REASONS = 6;

type Role = 'home' | 'target';

interface Armed {
  readonly dir: string;
  /** dev:ino of the directory when it was armed. */
  readonly id: string;
  readonly watcher: FSWatcher;
}

/**
 * Calls `onChange(reason)` after the file at `file` may have changed (see the header). `reason`
 * names what was seen, e.g. `rename ..data`, `change routes.yaml`, or `poll` while degraded.
 */
export function watchConfigFile(
  file: string,
  onChange: (reason: string) => void,
  opts: WatchConfigOptions = {},
): ConfigWatcher {
  const debounceMs = Math.max(0, opts.debounceMs ?? 100);
  const maxWaitMs = Math.max(debounceMs * 10, debounceMs + 1);
  const path = resolve(file);
  const home = dirname(path);
  const base = basename(path);

  let closed = false;
  const armed = new Map<Role, Armed>();
  let homeNames: ReadonlySet<string> = new Set([base, '..data']);
  let targetName: string | null = null;
  const reasons = new Map<string, number>();
  let debounceTimer: NodeJS.Timeout | undefined;
  let burstStartedAt: number | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let steadyTimer: NodeJS.Timeout | undefined;

  const initial = snapshot(path, home, base);
  let lastIdentity = initial.identity;
  let lastQuick = initial.quick;
  rearm(initial);
  steadyPoll();

  function note(reason: string): void {
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }

  function takeReason(): string {
    const parts = [...reasons].map(([r, n]) => (n > 1 ? `${r} (x${n})` : r));
    reasons.clear();
    if (parts.length === 0) return 'check';
    const shown = parts.slice(0, MAX_REASONS);
    return parts.length > MAX_REASONS ? `${shown.join(', ')}, +${parts.length - MAX_REASONS} more` : shown.join(', ');
  }

  function schedule(reason: string): void {
    if (closed) return;
    note(reason);
    const now = performance.now();
    burstStartedAt ??= now;
    if (debounceTimer !== undefined) clearTimeout(debounceTimer);
    const wait = Math.max(0, Math.min(debounceMs, burstStartedAt + maxWaitMs - now));
    debounceTimer = setTimeout(() => {
      debounceTimer = undefined;
      burstStartedAt = undefined;
      check();
    }, wait);
  }

  function check(): void {
    if (closed) return;
    const reason = takeReason();
    const snap = snapshot(path, home, base);
    lastQuick = snap.quick;
    rearm(snap);
    if (closed || snap.identity === lastIdentity) return;
    lastIdentity = snap.identity;
    try {
      onChange(reason);
    } catch {
      // The reloader owns its errors; the watch goes on.
    }
  }

  function onEvent(role: Role, dir: string, eventType: string, filename: string | Buffer | null): void {
    if (closed) return;
    const name = filename === null ? null : filename.toString();
    if (name === null) return schedule(`${eventType} (unnamed) in ${dir}`);
    // The watched directory itself was removed or renamed: the watcher is deaf from now on.
    if (name === basename(dir)) return schedule(`${eventType} ${name} (the watched directory)`);
    if (role === 'home' ? homeNames.has(name) : name === targetName) {
      return schedule(`${eventType} ${role === 'home' ? name : displayPath(home, resolve(dir, name))}`);
    }
    // Any other name in the directory: not ours.
  }

  function arm(role: Role, dir: string, id: string): boolean {
    try {
      const w = watch(dir, { persistent: true }, (eventType, filename) => onEvent(role, dir, eventType, filename));
      w.on('error', () => {
        if (armed.get(role)?.watcher !== w) return;
        disarm(role);
        if (!closed) ensurePolling();
      });
      armed.set(role, { dir, id, watcher: w });
      return true;
    } catch {
      return false;
    }
  }

  function disarm(role: Role): void {
    const a = armed.get(role);
    if (a === undefined) return;
    armed.delete(role);
    try {
      a.watcher.close();
    } catch {
      // already closed
    }
  }

  /** Makes the armed watchers match what the snapshot says should be watched. */
  function rearm(snap: Snapshot): void {
    if (closed) return;
    homeNames = snap.homeNames;
    targetName = snap.target?.name ?? null;
    let degraded = false;
    let armedSomething = false;

    const want: [Role, string, string | null][] = [['home', home, snap.homeId]];
    if (snap.target !== null) want.push(['target', snap.target.dir, snap.target.id]);
    else disarm('target');

    for (const [role, dir, id] of want) {
      const current = armed.get(role);
      if (current !== undefined && current.dir === dir && current.id === id) continue;
      disarm(role);
      if (id === null) {
        degraded = true; // the directory is not there (or not a directory): poll until it is
        continue;
      }
      if (arm(role, dir, id)) armedSomething = true;
      else degraded = true;
    }

    if (degraded) ensurePolling();
    else stopPolling();
    // Whatever changed between the snapshot and the new watch would have no event: look again.
    if (armedSomething) schedule('watch armed');
  }

  function ensurePolling(): void {
    if (closed || pollTimer !== undefined) return;
    pollTimer = setTimeout(() => {
      pollTimer = undefined;
      note('poll (fs.watch unavailable)');
      check();
    }, POLL_MS);
  }

  function steadyPoll(): void {
    steadyTimer = setTimeout(() => {
      void quickIdentity(path, home).then((quick) => {
        if (closed) return;
        if (quick !== lastQuick) {
          lastQuick = quick;
          schedule('poll'); // (the check finds whether anything changed for real)
        }
        steadyPoll();
      });
    }, POLL_MS);
    steadyTimer.unref();
  }

  function stopPolling(): void {
    if (pollTimer === undefined) return;
    clearTimeout(pollTimer);
    pollTimer = undefined;
  }

  return {
    close(): void {
      if (closed) return;
      closed = true;
      if (debounceTimer !== undefined) clearTimeout(debounceTimer);
      debounceTimer = undefined;
      stopPolling();
      clearTimeout(steadyTimer);
      disarm('home');
      disarm('target');
      reasons.clear();
    },
  };
}
