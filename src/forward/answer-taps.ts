// Two taps on one exchange's answer (a shadowed route that also records): each told everything.

import type { AnswerTap } from './exchange-types.js';

export class AnswerTaps implements AnswerTap {
  readonly #first: AnswerTap;
  readonly #second: AnswerTap;

  /** `first` says whether a shadow copy went out. */
  constructor(first: AnswerTap, second: AnswerTap) {
    this.#first = first;
    this.#second = second;
  }

  get sent(): boolean | undefined {
    return this.#first.sent;
  }

  primaryHead(status: number, raw: readonly Buffer[]): void {
    this.#first.primaryHead(status, raw);
    this.#second.primaryHead(status, raw);
  }

  primaryData(chunk: Buffer): void {
    this.#first.primaryData(chunk);
    this.#second.primaryData(chunk);
  }

  primaryEnd(ok: boolean): void {
    this.#first.primaryEnd(ok);
    this.#second.primaryEnd(ok);
  }
}
