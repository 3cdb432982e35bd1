// Numbers as the fault and canary drills' summaries print them.

/** A whole number with thousands separators: 12,345. */
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Milliseconds to 0.1 ms; `-` when not finite. */
export const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '-');

/** Milliseconds as seconds to the ms: 1.234 s. */
export function secs(n: number): string {
  return `${(n / 1000).toFixed(3)} s`;
}

/** Milliseconds as signed seconds: +1.234 s, -0.005 s. */
export function signed(n: number): string {
  return `${n < 0 ? '-' : '+'}${(Math.abs(n) / 1000).toFixed(3)} s`;
}
