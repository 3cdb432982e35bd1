// A wait with a bound: resolves when `work` settles or `ms` have passed, whichever comes first,
// with whether the work finished (a rejection counts as finished: the caller only waits).

export function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  const done = work.then(() => true, () => true);
  return Promise.race([done, expired]).finally(() => clearTimeout(timer));
}
