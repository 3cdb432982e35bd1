// For the bench's own child programs: exit when the bench process is gone (e.g. SIGKILLed),
// so nothing is left behind even then. One cheap check per second.
export function exitWithParent(onTerm?: () => void): void {
  if (onTerm !== undefined) process.on('SIGTERM', onTerm);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
}

export function argValue(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`missing ${name}`);
  return v;
}
