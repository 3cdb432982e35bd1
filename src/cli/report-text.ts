// Text helpers of `strangler report`: what came from traffic made safe for a terminal, and cut to fit. Pure.

/** Control characters (C0, DEL, C1) and bidi overrides escaped: text from traffic cannot drive the terminal. */
export function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ');
}

/** At most `n` characters, the cut ones replaced by "…". */
export function clip(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length <= n ? s : s.slice(0, Math.max(0, n - 1)) + '…';
}
