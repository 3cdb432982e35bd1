// Wrong admin tokens (posted to POST /session, or presented as `Authorization: Bearer` or a stale
// sign-in cookie: auth.ts), counted and logged as one line at most once a minute
// (the first one at once): `{"msg":"admin sign-in failed","failures":N,"from":"<last address>"}`,
// N the failures since the previous line. A guessing script fills no disk, and a person sees it.

import { LOG } from '../../observability/log-messages.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../util/clock.js';

const LOG_EVERY_MS = 60_000;

export class FailedSignIns {
  readonly #logger: Logger;
  readonly #clock: Clock;
  #failures = 0;
  #loggedAt = -Infinity;

  constructor(logger: Logger, clock: Clock) {
    this.#logger = logger;
    this.#clock = clock;
  }

  failed(from: string | undefined): void {
    this.#failures++;
    const now = this.#clock.now();
    if (now - this.#loggedAt < LOG_EVERY_MS) return;
    this.#loggedAt = now;
    this.#logger.warn({ msg: LOG.adminSignInFailed, failures: this.#failures, from });
    this.#failures = 0;
  }
}
