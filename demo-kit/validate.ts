// Checking a JSON request body field by field. Every problem is collected, then check()
// throws one 400 validation_failed error that lists them all.
import { HttpError, type FieldError } from './http-error.js';

export type Fields = Record<string, unknown>;

export function asFields(body: unknown): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'validation_failed', 'the request body must be a JSON object', {
      details: [{ field: '$', message: 'must be a JSON object' }],
    });
  }
  return body as Fields;
}

export class FieldChecker {
  readonly #errors: FieldError[] = [];

  constructor(private readonly fields: Fields) {}

  /** A trimmed non-empty string of at most `max` characters, optionally matching `pattern`. */
  string(field: string, opts: { required: boolean; max: number; pattern?: RegExp; expected?: string }): string | undefined {
    const value = this.fields[field];
    if (value === undefined) return this.missing(field, opts.required);
    if (typeof value !== 'string' || value.trim() === '') return this.fail(field, 'must be a non-empty string');
    const text = value.trim();
    if (text.length > opts.max) return this.fail(field, `must be at most ${opts.max} characters`);
    if (opts.pattern && !opts.pattern.test(text)) return this.fail(field, `must be ${opts.expected ?? 'well-formed'}`);
    return text;
  }

  integer(field: string, opts: { required: boolean; min: number; max: number }): number | undefined {
    const value = this.fields[field];
    if (value === undefined) return this.missing(field, opts.required);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < opts.min || value > opts.max) {
      return this.fail(field, `must be an integer from ${opts.min} to ${opts.max}`);
    }
    return value;
  }

  /** A number above 0 and at most `max`, with at most two decimals (an amount of money). */
  amount(field: string, opts: { required: boolean; max: number }): number | undefined {
    const value = this.fields[field];
    if (value === undefined) return this.missing(field, opts.required);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > opts.max || Math.round(value * 100) / 100 !== value) {
      return this.fail(field, `must be a number above 0 and at most ${opts.max}, with at most 2 decimals`);
    }
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    const value = this.fields[field];
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(field, `must be one of ${allowed.join(', ')}`);
    return fallback;
  }

  fail(field: string, message: string): undefined {
    this.#errors.push({ field, message });
    return undefined;
  }

  /** Throws the collected problems as one 400 answer; returns when there are none. */
  check(): void {
    if (this.#errors.length === 0) return;
    const summary = this.#errors.map((e) => `${e.field} ${e.message}`).join('; ');
    throw new HttpError(400, 'validation_failed', `invalid request: ${summary}`, { details: this.#errors });
  }

  private missing(field: string, required: boolean): undefined {
    return required ? this.fail(field, 'is required') : undefined;
  }
}

/** A path or query id: a positive integer written in digits, else undefined. */
export function parseId(text: string | null | undefined): number | undefined {
  return text && /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : undefined;
}
