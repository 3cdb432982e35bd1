// The admin's sign-in cookie, as pure functions: its value, reading it from a Cookie header,
// the Set-Cookie lines that set and clear it, and where a sign-in may send the browser next.
//
// The value is an HMAC-SHA256 keyed by ADMIN_TOKEN over a fixed label, never the token itself:
// a leaked cookie does not give the token away (it cannot be sent as a bearer token, nor turned
// back into one). It is derived from the token alone, not from a per-process random key, so it
// stays valid across restarts and is the same in every worker and every replica behind one admin
// address (a load balancer may send the next request anywhere); rotating ADMIN_TOKEN signs every
// browser out at once.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'strangler_admin';
const LABEL = 'strangler admin session v1';

/** The cookie's value for this token (base64url, 43 characters). */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update(LABEL).digest('base64url');
}

/** The value of cookie `name` in a Cookie header (the first one), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether `got` is `expected`, in time independent of where they differ. */
export function sameValue(got: string, expected: string): boolean {
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const attributes = (secure: boolean): string => `; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;

/** The Set-Cookie line of a sign-in (a session cookie: it ends with the browser session). */
export function setSessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}${attributes(secure)}`;
}

/** The Set-Cookie line that removes it. */
export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=${attributes(secure)}; Max-Age=0`;
}

/** Where to send the browser after a sign-in: `next` when it is a path on this origin
 *  ("/...", not "//host" nor "/\host", which browsers read as another host), else "/". */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2048) return '/';
  if (next[1] === '/' || next[1] === '\\' || /[\\\u0000-\u001f\u007f\s]/.test(next)) return '/';
  return next;
}
