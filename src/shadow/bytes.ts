// Non-JSON bodies: equal bytes, or one `bytes` difference a person can read. Pure.
//
// Text (both bodies valid UTF-8 without NUL bytes): the first differing line of each side
// (clipped to 60 characters around the first differing column) as `primary` / `shadow`, and a
// unified-ish `detail` of at most 200 characters:
//
//   @@ line 3, column 9 @@
//    <line before, as context, when it fits>
//   -<primary's line>
//   +<shadow's line>
//
// Binary: `primary` / `shadow` are `{ bytes: size }` and `detail` says where they part.

import { isUtf8 } from 'node:buffer';
import { groupDigits } from './format.js';

export interface BytesDifference {
  readonly primary: unknown;
  readonly shadow: unknown;
  readonly detail: string;
}

export const DETAIL_MAX_CHARS = 200;
const LINE_MAX_CHARS = 60;

/** Whether a body reads as text: valid UTF-8 and no NUL byte. */
export function isTextBody(body: Buffer): boolean {
  return body.indexOf(0) < 0 && isUtf8(body);
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function clipLine(line: string, column: number): string {
  const chars = Array.from(line);
  if (chars.length <= LINE_MAX_CHARS) return line;
  const half = LINE_MAX_CHARS / 2;
  const start = Math.max(0, Math.min(column - half, chars.length - LINE_MAX_CHARS));
  const end = start + LINE_MAX_CHARS;
  return (start > 0 ? '…' : '') + chars.slice(start, end).join('') + (end < chars.length ? '…' : '');
}

function lineAt(buf: Buffer, start: number): string {
  let end = buf.indexOf(0x0a, start);
  if (end < 0) end = buf.length;
  let s = buf.subarray(start, end).toString('utf8');
  if (s.endsWith('\r')) s = s.slice(0, -1);
  return s;
}

/** Null when the bodies are the same bytes. */
export function compareBytes(primary: Buffer, shadow: Buffer): BytesDifference | null {
  if (primary.equals(shadow)) return null;
  let at = firstDifference(primary, shadow);

  if (!isTextBody(primary) || !isTextBody(shadow)) {
    return {
      primary: { bytes: primary.length },
      shadow: { bytes: shadow.length },
      detail: `binary bodies differ: ${groupDigits(primary.length)} vs ${groupDigits(shadow.length)} bytes, first difference at byte ${groupDigits(at)}`,
    };
  }

  // Back up to the start of the UTF-8 character (both sides share the bytes before `at`).
  while (at > 0 && ((primary[at] ?? 0x00) & 0xc0) === 0x80 && ((shadow[at] ?? 0x00) & 0xc0) === 0x80) at--;
  const lineStart = at === 0 ? 0 : primary.lastIndexOf(0x0a, at - 1) + 1;
  let lineNo = 1;
  for (let i = primary.indexOf(0x0a); i >= 0 && i < lineStart; i = primary.indexOf(0x0a, i + 1)) lineNo++;
  const column = Array.from(primary.subarray(lineStart, at).toString('utf8')).length + 1;

  const pShown = clipLine(lineAt(primary, lineStart), column - 1) + (at >= primary.length ? ' (end of body)' : '');
  const sShown = clipLine(lineAt(shadow, lineStart), column - 1) + (at >= shadow.length ? ' (end of body)' : '');

  const head = `@@ line ${lineNo}, column ${column} @@\n`;
  const body = `-${pShown}\n+${sShown}`;
  let context = '';
  if (lineStart > 0) {
    const prevStart = lineStart >= 2 ? primary.lastIndexOf(0x0a, lineStart - 2) + 1 : 0;
    context = ' ' + clipLine(lineAt(primary, prevStart), 0) + '\n';
  }
  let detail = head + (head.length + context.length + body.length <= DETAIL_MAX_CHARS ? context : '') + body;
  if (detail.length > DETAIL_MAX_CHARS) detail = detail.slice(0, DETAIL_MAX_CHARS - 1) + '…';
  return { primary: pShown, shadow: sShown, detail };
}
