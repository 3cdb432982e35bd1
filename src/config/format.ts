// ConfigError -> the line a person reads:
//   routes.yaml:12:17 routes[2].retry.attempts: must be an integer between 1 and 10 (got 0)
// (the path and its colon are left out for errors about the file as a whole).

import type { ConfigError } from './types.js';

export function formatConfigError(e: ConfigError): string {
  const where = `${e.file}:${e.line}:${e.column}`;
  return e.path === '' ? `${where} ${e.message}` : `${where} ${e.path}: ${e.message}`;
}

/** Orders errors by file, then line, then column (stable for ties). */
export function sortConfigErrors(errors: readonly ConfigError[]): ConfigError[] {
  return [...errors].sort((a, b) => (a.file === b.file ? 0 : a.file < b.file ? -1 : 1) || a.line - b.line || a.column - b.column);
}

/** One error per line, sorted by line then column. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return sortConfigErrors(errors).map(formatConfigError).join('\n');
}
