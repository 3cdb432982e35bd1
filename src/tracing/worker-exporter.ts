// The SpanExporter the BatchSpanProcessor hands its batches to: it posts each batch, as plain
// data, to a worker thread that runs the OTLP exporter (export-worker.ts), and reports the
// worker's answer back to the processor.
//
// Why a thread: the export is code that runs once every few seconds, never long enough for V8 to
// settle on it, and it shares functions with the request path (node:http's client side runs
// through OutgoingMessage, the stream internals and timers, as do its promises). Run on the
// proxy's thread, its first exports sent those hot, optimised functions back to the interpreter
// to be compiled again: in the first 20 s at 3,000 req/s and sampleRatio 0.01, 130 more TurboFan
// jobs (0.5 s more compile time) than at sampleRatio 0. Measured with two proxies loaded together
// at 1,500 req/s each, the export made 0.01 cost 10-13 us per request more than the same config
// with an exporter that sends nothing, and that one cost no more than sampleRatio 0. In its own
// thread the exporter has its own heap and its own compiled code; the proxy's thread only copies
// a batch into a message. Encoding a batch of 512 spans no longer holds the event loop either.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ResolvedTracing } from '../routing/defaults.js';
import { EXPORT_TIMEOUT_MS } from './exporter.js';
import type { FromWorker, ToWorker } from './export-worker.js';
import { toWire } from './wire-span.js';

/** A batch the worker has not answered in this long is failed (the worker's exporter bounds
 *  its own request at EXPORT_TIMEOUT_MS). */
const ANSWER_MS = EXPORT_TIMEOUT_MS + 1_000;

/** The built worker program. (Tests run this module from src/, where only its .ts exists: they
 *  use the build, which `npm test` makes first.) */
function workerProgram(): URL {
  const beside = new URL('./export-worker.js', import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : new URL('../../dist/src/tracing/export-worker.js', import.meta.url);
}

function failure(name: string, message: string): ExportResult {
  const error = new Error(message);
  error.name = name;
  return { code: ExportResultCode.FAILED, error };
}

export class WorkerSpanExporter implements SpanExporter {
  readonly #config: ResolvedTracing;
  readonly #onLost: (reason: string) => void;
  #worker: Worker | null = null;
  readonly #pending = new Map<number, { readonly done: (r: ExportResult) => void; readonly timer: NodeJS.Timeout }>();
  #next = 0;
  #stopped = false;

  /** The worker starts now, with the config (at start-up or the reload that turns tracing on),
   *  not with the first batch: its ~100 ms of start-up CPU is not spent under traffic. */
  /** `onLost`: told why when the worker stops before shutdown (its batches fail; the next batch
   *  starts another). */
  constructor(config: ResolvedTracing, onLost: (reason: string) => void = () => {}) {
    this.#config = config;
    this.#onLost = onLost;
    this.#workerNow();
  }

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    if (this.#stopped) return done(failure('Error', 'the exporter is shut down'));
    const id = ++this.#next;
    const timer = setTimeout(() => this.#answer(id, failure('TimeoutError', `the export worker did not answer in ${ANSWER_MS} ms`)), ANSWER_MS);
    timer.unref();
    this.#pending.set(id, { done, timer });
    this.#post({ id, spans: toWire(spans) });
  }

  /** Tells the worker to shut its exporter down (it sends what it holds), then ends the thread. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    const w = this.#worker;
    if (w === null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ANSWER_MS);
      timer.unref();
      w.on('message', (m: FromWorker) => {
        if ('shutdown' in m) resolve();
      });
      w.once('exit', () => resolve());
      w.postMessage({ shutdown: true } satisfies ToWorker);
    });
    this.#worker = null;
    await w.terminate();
  }

  /** Batches are sent as they come: nothing is held here. */
  async forceFlush(): Promise<void> {}

  #post(m: ToWorker): void {
    this.#workerNow().postMessage(m);
  }

  /** The worker, started again if the last one stopped. */
  #workerNow(): Worker {
    if (this.#worker !== null) return this.#worker;
    const w = new Worker(workerProgram(), { workerData: this.#config });
    w.unref();
    w.on('message', (m: FromWorker) => {
      if (!('shutdown' in m)) this.#answer(m.id, m.error === undefined ? { code: m.code } : { ...failure(m.error.name, m.error.message), code: m.code });
    });
    let told = false;
    const lost = (why: string): void => {
      if (this.#worker === w) this.#worker = null;
      for (const id of [...this.#pending.keys()]) this.#answer(id, failure('Error', why));
      if (!this.#stopped && !told) this.#onLost(why);
      told = true; // (a worker that fails also exits: one word of it)
    };
    w.on('error', (err) => lost(`the export worker failed: ${err.message}`));
    w.on('exit', (code) => lost(`the export worker exited (${code})`));
    this.#worker = w;
    return w;
  }

  #answer(id: number, r: ExportResult): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    p.done(r);
  }
}
