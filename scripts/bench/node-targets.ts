// Targets that are node programs of the bench itself: the direct upstream, express, fastify.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, pgidOf, spawnChild, waitForHttpOk } from './procs.js';
import type { BenchContext, RunningTarget, Target } from './target.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function startNodeProgram(
  name: string, script: string, args: readonly string[], cpu: number | undefined, ctx: BenchContext, readyPath: string,
): Promise<RunningTarget & { port: number }> {
  const port = await freePort();
  const child = spawnChild(name, process.execPath, [join(here, script), '--port', String(port), ...args], {
    cpu,
    env: { ...process.env, NODE_ENV: 'production' },
    stderrFile: join(ctx.tmpDir, `${script}.${port}.stderr`),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttpOk(url + readyPath, child, 15_000);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, port, ...pgidOf(child), stop: () => child.stop() };
}

/** The upstream itself, on the proxy's core: the ceiling for this load generator. */
export const directTarget: Target = {
  key: 'direct',
  name: 'direct (upstream)',
  start: (ctx) => startNodeProgram('upstream (direct)', 'upstream-server.js', [], ctx.pinning.proxyCpu, ctx, ctx.readyPath),
};

export const expressTarget: Target = {
  key: 'express',
  name: 'express + http-proxy-middleware',
  start: (ctx) => startNodeProgram('express proxy', 'express-proxy.js', ['--upstream', ctx.upstreamUrl], ctx.pinning.proxyCpu, ctx, ctx.readyPath),
};

export const fastifyTarget: Target = {
  key: 'fastify',
  name: '@fastify/http-proxy',
  start: (ctx) => startNodeProgram('fastify proxy', 'fastify-proxy.js', ['--upstream', ctx.upstreamUrl], ctx.pinning.proxyCpu, ctx, ctx.readyPath),
};

/** node:http + undici dispatch with no features: what strangler's features cost. */
export const bareTarget: Target = {
  key: 'bare',
  name: 'bare node:http + undici',
  start: (ctx) => startNodeProgram('bare forwarder', 'bare-forwarder.js', ['--upstream', ctx.upstreamUrl], ctx.pinning.proxyCpu, ctx, ctx.readyPath),
};
