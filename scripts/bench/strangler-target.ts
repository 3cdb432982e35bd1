// strangler itself: node dist/src/main.js --config <tmp routes.yaml> --port P --admin-port A,
// ready when GET /readyz on the admin port answers 200. Access log (JSON on stdout) and metrics
// stay on; its stdout goes to /dev/null through an fd, never through a pipe into the bench.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, pgidOf, spawnChild, waitForHttpOk } from './procs.js';
import { stranglerRoutesYaml, type StranglerConfigOptions } from './strangler-config.js';
import type { Target } from './target.js';

/** dist/src/main.js next to this build; BENCH_STRANGLER_MAIN=/path/main.js benches another build. */
export const STRANGLER_MAIN = process.env['BENCH_STRANGLER_MAIN'] || fileURLToPath(new URL('../../src/main.js', import.meta.url));

export interface StranglerTargetOptions {
  readonly key: string;
  readonly name: string;
  readonly config?: Omit<StranglerConfigOptions, 'upstreamUrl'>;
  readonly env?: NodeJS.ProcessEnv;
}

export function stranglerTarget(o: StranglerTargetOptions): Target {
  return {
    key: o.key,
    name: o.name,
    unavailable: () => (existsSync(STRANGLER_MAIN) ? null : 'strangler not built: run npm run build'),
    async start(ctx) {
      const [port, adminPort] = [await freePort(), await freePort()];
      const yamlFile = join(ctx.tmpDir, `routes-${o.key}-${port}.yaml`);
      writeFileSync(yamlFile, stranglerRoutesYaml({ upstreamUrl: ctx.upstreamUrl, ...o.config }));
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', ...o.env };
      for (const k of ['ADMIN_TOKEN', 'STRANGLER_CONFIG', 'PORT', 'ADMIN_PORT']) delete env[k];
      const args = [STRANGLER_MAIN, '--config', yamlFile, '--port', String(port), '--admin-port', String(adminPort)];
      const child = spawnChild(o.name, process.execPath, args, {
        cpu: ctx.pinning.proxyCpu,
        env,
        stderrFile: join(ctx.tmpDir, `strangler-${port}.stderr`),
      });
      const admin = `http://127.0.0.1:${adminPort}`;
      try {
        await waitForHttpOk(`${admin}/readyz`, child, 20_000);
      } catch (err) {
        await child.stop();
        throw new Error(`${(err as Error).message}${checkOutput(yamlFile)}`);
      }
      return {
        url: `http://127.0.0.1:${port}`,
        ...pgidOf(child),
        async stop() {
          await warnIfNoMetrics(admin, o.name);
          await child.stop(12_000);
        },
      };
    },
  };
}

/** On a failed start: what `strangler check` says about the generated file (stdout is /dev/null). */
function checkOutput(yamlFile: string): string {
  try {
    execFileSync(process.execPath, [STRANGLER_MAIN, 'check', yamlFile], { stdio: 'pipe', timeout: 10_000 });
    return `\n  (strangler check ${yamlFile}: ok)`;
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    return `\n  strangler check ${yamlFile}:\n    ${(String(e.stdout ?? '') + String(e.stderr ?? '')).trim().slice(-1500).split('\n').join('\n    ')}`;
  }
}

async function warnIfNoMetrics(admin: string, name: string): Promise<void> {
  try {
    const text = await (await fetch(`${admin}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    if (!text.includes('strangler_requests_total')) process.stderr.write(`  warning: ${name}: /metrics has no strangler_requests_total\n`);
  } catch (err) {
    process.stderr.write(`  warning: ${name}: GET /metrics failed: ${(err as Error).message}\n`);
  }
}
