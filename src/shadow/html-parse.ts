// Which answers are HTML, and their bodies as documents. Pure but for the parser it calls.
//
// An answer is HTML when its content type's media type is `text/html`. The body is decoded with
// the content type's charset when it names one the runtime knows (else UTF-8), then parsed by
// htmlparser2 the way a lenient browser-like parser does: tag and attribute names lower-cased,
// character references decoded. Comments, the doctype and processing instructions are parsed
// but never compared (html-diff.ts).
//
// In slices: parseHtmlSteps feeds the same parser the text a slice at a time (htmlparser2 is a
// streaming parser, and the tree builder joins text that arrives in pieces), yielding between
// two slices, and builds the same tree as parseHtml.

import type { Options } from 'htmlparser2';
import { htmlLib, type Document } from './html-lib.js';

/** `text/html`, whatever its parameters and case. */
export function isHtmlMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === 'text/html';
}

function charsetOf(contentType: string): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m ? m[1]!.toLowerCase() : null;
}

/** The body as text, decoded with the declared charset when it is one the runtime knows. */
export function htmlText(body: Buffer, contentType: string): string {
  const charset = charsetOf(contentType);
  if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
    try {
      return new TextDecoder(charset).decode(body);
    } catch {
      // an unknown label: read it as UTF-8
    }
  }
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

const OPTIONS: Options = { lowerCaseTags: true, lowerCaseAttributeNames: true, decodeEntities: true };

/** The document tree of an HTML body. */
export function parseHtml(body: Buffer, contentType: string): Document {
  return htmlLib().parseDocument(htmlText(body, contentType), OPTIONS);
}

/**
 * The tree of parseHtml, parsed `sliceChars` characters of text at a time (a surrogate pair is
 * never cut), yielding after every slice. A text that fits one slice is parsed as parseHtml
 * does, in one go, without yielding.
 */
export function* parseHtmlSteps(body: Buffer, contentType: string, sliceChars: number): Generator<void, Document> {
  const text = htmlText(body, contentType);
  const lib = htmlLib();
  if (text.length <= sliceChars) return lib.parseDocument(text, OPTIONS);
  const handler = new lib.DomHandler(undefined, OPTIONS);
  const parser = new lib.Parser(handler, OPTIONS);
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + Math.max(1, sliceChars));
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
    parser.write(text.slice(at, end));
    at = end;
    yield; // the last slice too: what follows (the other side's first slice) gets a turn of its own
  }
  parser.end();
  return handler.root;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
