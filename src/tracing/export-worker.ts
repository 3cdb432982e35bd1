// The export worker's program: the OTLP exporter of one server.tracing config, fed batches of
// spans by worker-exporter.ts. It answers each batch with the exporter's result (an error as its
// name and message), and a shutdown request once the exporter has shut down.

import { parentPort, workerData } from 'node:worker_threads';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResolvedTracing } from '../routing/defaults.js';
import { exporterFor } from './exporter.js';
import { fromWire, type WireBatch } from './wire-span.js';

/** From the proxy's thread. */
export type ToWorker = { readonly id: number; readonly spans: WireBatch } | { readonly shutdown: true };
/** To it: a batch's result, or the shutdown done. */
export type FromWorker = { readonly id: number; readonly code: number; readonly error?: { readonly name: string; readonly message: string } } | { readonly shutdown: true };

const port = parentPort!;
const config = workerData as ResolvedTracing;
const exporter = exporterFor(config);
const resource = resourceFromAttributes({ 'service.name': config.serviceName });
const scope = { name: 'strangler' };
const send = (m: FromWorker): void => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if ('shutdown' in m) {
    exporter.shutdown().then(
      () => send({ shutdown: true }),
      () => send({ shutdown: true }),
    );
    return;
  }
  exporter.export(fromWire(m.spans, resource, scope), (r) => {
    send(r.error === undefined ? { id: m.id, code: r.code } : { id: m.id, code: r.code, error: { name: r.error.name, message: r.error.message } });
  });
});
