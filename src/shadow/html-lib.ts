// The HTML parser (htmlparser2, building a domhandler tree) and the selector engine (css-select,
// which reads domhandler trees natively), loaded on first use: about 30 ms and 2 MB that a
// process whose shadows never meet an HTML answer or a CSS selector never pays. Loaded with
// require (both ship CommonJS builds), so the diff and the config check stay synchronous.

import { createRequire } from 'node:module';
import type * as CssSelect from 'css-select';
import type * as Htmlparser2 from 'htmlparser2';

export type { ChildNode, Document, Element } from 'domhandler';

export interface HtmlLib {
  readonly parseDocument: typeof Htmlparser2.parseDocument;
  /** The streaming parser and the tree builder parseDocument is made of (html-parse.ts feeds it in slices). */
  readonly Parser: typeof Htmlparser2.Parser;
  readonly DomHandler: typeof Htmlparser2.DomHandler;
  readonly compile: typeof CssSelect.compile;
}

let loaded: HtmlLib | null = null;

/** The libraries, required the first time they are asked for. */
export function htmlLib(): HtmlLib {
  if (loaded === null) {
    const require = createRequire(import.meta.url);
    const parser = require('htmlparser2') as typeof Htmlparser2;
    const select = require('css-select') as typeof CssSelect;
    loaded = { parseDocument: parser.parseDocument, Parser: parser.Parser, DomHandler: parser.DomHandler, compile: select.compile };
  }
  return loaded;
}

/** Whether the libraries are loaded yet (for the test that proves a JSON-only process never loads them). */
export function htmlLibLoaded(): boolean {
  return loaded !== null;
}
