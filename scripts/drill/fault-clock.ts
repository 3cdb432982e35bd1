// One clock for the whole fault drill: epoch milliseconds with sub-millisecond resolution, so that
// request send times, the kill, the restart and the proxy's log timestamps (Date.now() based,
// ISO with ms) can be put on one time line.
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
