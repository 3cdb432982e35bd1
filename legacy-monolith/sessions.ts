// Cookie sessions kept in memory, like many legacy apps: a restart signs everyone out.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'sid';

export class Sessions {
  readonly #userIds = new Map<string, number>();

  /** Starts a session for `userId` and returns its id. */
  create(userId: number): string {
    const sid = randomBytes(24).toString('base64url');
    this.#userIds.set(sid, userId);
    return sid;
  }

  userIdOf(req: IncomingMessage): number | undefined {
    const sid = readCookie(req, SESSION_COOKIE);
    return sid === undefined ? undefined : this.#userIds.get(sid);
  }

  destroy(req: IncomingMessage): void {
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid !== undefined) this.#userIds.delete(sid);
  }
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
