// Lines the fault and canary drills' summaries share.
import type { LoadPath } from './common-timed-get.js';

/** The load's paths, each with its expected status when it is not a 2xx. */
export function describePaths(paths: readonly LoadPath[]): string {
  return paths.map((p) => (p.expect === undefined ? p.path : `${p.path} (expect ${p.expect})`)).join(', ');
}

/** The proxy's error and fatal lines: how many, and the first 5 (cut at 300 characters); nothing when none. */
export function proxyErrorLinesSection(lines: readonly string[]): string[] {
  if (!lines.length) return [];
  return [`proxy error lines (${lines.length}, first 5):`, ...lines.slice(0, 5).map((l) => `  ${l.length > 300 ? l.slice(0, 300) + '...' : l}`)];
}
