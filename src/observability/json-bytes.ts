// JSON text written straight into bytes, without building a string first (pure). The access line
// is written once per request: built as a string (~20 concatenations), then copied into the log's
// chunk, it cost ~5% of the proxy's CPU per request (measured with two proxies loaded together,
// one with the line switched off). Printable ASCII, which nearly every value is, is copied a
// character at a time; anything else goes through JSON.stringify and Buffer.write as before, so
// the bytes are the same.
// Every writer takes the buffer and where to write, and returns where it stopped. The caller
// makes room first: at most MAX_BYTES_PER_CHAR bytes for each character of a value.

/** The most bytes one UTF-16 unit of a value can take: `\u001f` escaped (a character of UTF-8 takes at most 3). */
export const MAX_BYTES_PER_CHAR = 6;

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** `s` as a JSON string, as JSON.stringify spells it (quoted as is when nothing needs escaping). */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Text that is already JSON (a fragment, a number's digits), as UTF-8. */
export function putText(b: Buffer, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7e) return at + b.write(s, at); // (not ASCII: Buffer's UTF-8)
    b[at + i] = c;
  }
  return at + n;
}

/** `s` as a JSON string (jsonString's bytes). */
export function putString(b: Buffer, at: number, s: string): number {
  const n = s.length;
  b[at] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return at + b.write(jsonString(s), at);
    b[at + 1 + i] = c;
  }
  b[at + 1 + n] = 0x22;
  return at + n + 2;
}

/** `s` as a JSON string, or `null`. */
export function putStringOrNull(b: Buffer, at: number, s: string | null): number {
  return s === null ? putText(b, at, 'null') : putString(b, at, s);
}

/** A number as JSON spells it (`${n}`); a whole one below 2^53 digit by digit. */
export function putNumber(b: Buffer, at: number, n: number): number {
  if (!(Number.isSafeInteger(n) && n >= 0)) return putText(b, at, `${n}`);
  let end = at + 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) end++;
  for (let i = end - 1, rest = n; i >= at; i--, rest = Math.floor(rest / 10)) b[i] = 0x30 + (rest % 10);
  return end;
}
