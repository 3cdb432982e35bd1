// The command line of copy-users and copy-orders:
//   --from DIR   the monolith's data dir (env LEGACY_DATA_DIR, default .data/legacy)
//   --to DIR     the service's data dir  (env <targetEnv>, default <targetDefault>)
// Prints one line on success; on failure, the reason and the usage on stderr, and exits 1.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringFromEnv } from './env.js';

export interface CopyCli<R> {
  /** The command's name, e.g. `copy-users`. */
  readonly name: string;
  readonly targetEnv: string;
  readonly targetDefault: string;
  readonly copy: (from: string, to: string) => Promise<R>;
  readonly describe: (result: R) => string;
}

export async function runCopyCli<R>(cli: CopyCli<R>): Promise<void> {
  try {
    const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
    const from = resolve(values.from ?? stringFromEnv('LEGACY_DATA_DIR', '.data/legacy'));
    const to = resolve(values.to ?? stringFromEnv(cli.targetEnv, cli.targetDefault));
    console.log(cli.describe(await cli.copy(from, to)));
  } catch (err) {
    console.error(`${cli.name}: ${(err as Error).message}`);
    console.error(`usage: ${cli.name} [--from LEGACY_DATA_DIR] [--to ${cli.targetEnv}]`);
    process.exit(1);
  }
}
