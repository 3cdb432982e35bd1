// Which part of a request head overflowed the parser's limit (pure). Node counts the request line
// and the header fields against one maxHeaderSize and reports both as HPE_HEADER_OVERFLOW; a URL
// over the limit is told apart from the bytes the parser was given when it gave up (`rawPacket`).

const METHOD_SP = /^[!#$%&'*+.^_`|~0-9A-Za-z]+ /;
const REQUEST_LINE_END = / HTTP\/\d\.\d\r?$/;

/**
 * True when the overflow is the request line itself: the packet starts a request line that is
 * longer than the limit (or does not end within the packet), or its first line is the end of a
 * request line begun in an earlier packet (`...aaa HTTP/1.1`). A packet that is all the middle of
 * one long line says nothing about which line it is: false (answered as oversized headers).
 */
export function requestLineOverflowed(rawPacket: Buffer | undefined, maxHeaderBytes: number): boolean {
  if (rawPacket === undefined || rawPacket.length === 0) return false;
  const nl = rawPacket.indexOf(0x0a);
  const end = nl === -1 ? rawPacket.length : nl;
  if (METHOD_SP.test(rawPacket.toString('latin1', 0, Math.min(end, 64)))) return nl === -1 || nl > maxHeaderBytes;
  return nl !== -1 && REQUEST_LINE_END.test(rawPacket.toString('latin1', Math.max(0, nl - 10), nl));
}
