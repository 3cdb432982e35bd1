// What the CLI says when node:util's parseArgs refuses its arguments.

/** node:util parseArgs's refusal, its first sentence only ("Unknown option '--x'."): the rest is
 *  advice on positionals that begin with '-', with a quote it never closes. */
export function parseArgsMessage(err: unknown): string {
  const message = (err as Error).message;
  const first = /^.*?'(?:[^']*)'\.?(?=\s|$)/.exec(message);
  return first !== null && /^Unknown option/.test(message) ? first[0].replace(/\.$/, '') : message;
}
