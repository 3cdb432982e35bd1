// The names of recording files. Pure.
// - A worker (server.workers > 1) writes its own file: `orders.jsonl` -> `orders.w2.jsonl` (its
//   slot, 0-based), so that processes never interleave lines or rotate each other's file.
// - Rotation renames the full file to the next number: `orders.jsonl` -> `orders.1.jsonl`,
//   `orders.2.jsonl`, ...: the highest number is the newest rotated file; the file without a
//   number is always the one being written.

import path from 'node:path';

function split(file: string): { base: string; ext: string } {
  const ext = path.extname(file);
  return { base: ext === '' ? file : file.slice(0, -ext.length), ext };
}

/** The file worker `slot` writes instead of `file` (null: a single process writes `file`). */
export function workerFile(file: string, slot: number | null): string {
  if (slot === null) return file;
  const { base, ext } = split(file);
  return `${base}.w${slot}${ext}`;
}

/** The name of the `n`th rotated file of `file` (n >= 1). */
export function rotatedFile(file: string, n: number): string {
  const { base, ext } = split(file);
  return `${base}.${n}${ext}`;
}

/** The highest rotation number among `names` (entries of the file's folder), 0 when none. */
export function highestRotation(file: string, names: readonly string[]): number {
  const { base, ext } = split(path.basename(file));
  let highest = 0;
  for (const name of names) {
    if (!name.startsWith(base + '.') || !name.endsWith(ext)) continue;
    const middle = name.slice(base.length + 1, name.length - ext.length);
    if (/^[1-9][0-9]{0,9}$/.test(middle)) highest = Math.max(highest, Number(middle));
  }
  return highest;
}
