// What must not outlive the drill (the proxy child, the temp directory), undone synchronously:
// from the normal path, from an exit handler (an error), and from Ctrl-C.
const pending = new Set<() => void>();
let exitHookInstalled = false;

/** Registers a synchronous undo step; returns a function that runs it (once) and unregisters it. */
export function onCleanup(step: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', runCleanup);
  }
  const once = (): void => {
    if (!pending.delete(once)) return;
    try {
      step();
    } catch {
      // best effort
    }
  };
  pending.add(once);
  return once;
}

/** Runs every registered step, newest first. */
export function runCleanup(): void {
  for (const step of [...pending].reverse()) step();
}

/** Ctrl-C / SIGTERM / SIGHUP: undo everything, say so, exit 130/143/129. */
export function exitOnSignals(name: string): void {
  for (const [sig, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(sig, () => {
      process.stderr.write(`\n${name}: ${sig}, stopping the proxy and removing the temp directory\n`);
      runCleanup();
      process.exit(status);
    });
  }
}
