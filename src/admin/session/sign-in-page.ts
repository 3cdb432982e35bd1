// The sign-in page of the admin's page family: shown, 401, to a browser that asks for `/` or
// `/shadow` without the admin token. One password field, posted as a form to POST /session
// (which answers with the cookie and sends the browser back to the page it asked for). Pure:
// the page it came for and the message in, a string out. No script at all (its CSP allows none),
// no external asset; the form may post only to this origin.

import { escapeHtml as esc } from '../shadow-page.js';
import { STYLE } from '../shadow-page-assets.js';
import { FAMILY_STYLE } from '../dashboard/style.js';

/** The sign-in page's Content-Security-Policy: no script, nothing external, forms to itself only. */
export const SIGN_IN_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SIGN_IN_STYLE = `
.sign-in { max-width: 420px; margin: 48px auto; }
.sign-in label { display: block; font-weight: 600; margin: 0 0 6px; }
.sign-in input[type="password"] { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid var(--line);
  border-radius: 6px; background: var(--bg); color: var(--fg); }
.sign-in button { margin-top: 12px; font: inherit; font-weight: 600; padding: 6px 16px; border: 1px solid var(--line);
  border-radius: 6px; background: var(--code); color: var(--fg); cursor: pointer; }
.sign-in .refused { color: var(--notready); background: var(--notready-bg); border-radius: 6px; padding: 6px 10px; }
`;

export interface SignInPage {
  /** The path the browser asked for: it goes back there once signed in. */
  readonly next: string;
  /** Why it is shown again (a wrong token), or nothing. */
  readonly message?: string;
}

export function renderSignInPage(p: SignInPage): string {
  const refused = p.message === undefined ? '' : `<p class="refused" role="alert">${esc(p.message)}</p>`;
  return (
    '<!doctype html>\n' +
    '<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex">' +
    '<title>Sign in · strangler</title>' +
    `<style>${STYLE}${FAMILY_STYLE}${SIGN_IN_STYLE}</style></head><body>` +
    '<header class="page-head"><h1>strangler admin</h1></header>' +
    '<main><section class="panel sign-in" aria-labelledby="sign-in-title"><h2 id="sign-in-title">Sign in</h2>' +
    '<p class="muted">This admin port needs its token (<code>ADMIN_TOKEN</code>).</p>' +
    refused +
    '<form method="post" action="/session">' +
    `<input type="hidden" name="next" value="${esc(p.next)}">` +
    '<label for="token">Admin token</label>' +
    '<input type="password" id="token" name="token" autocomplete="current-password" required autofocus>' +
    '<button type="submit">Sign in</button>' +
    '</form></section></main></body></html>\n'
  );
}
