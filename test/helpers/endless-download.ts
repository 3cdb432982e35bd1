// An upstream that answers 200 and then sends for as long as the proxy takes it (64 KiB writes,
// each 'drain' pumping more): `heldUp` settles once the proxy takes no more (its client holds it
// up), `aborted` once the proxy aborts the request (closed before the answer finished).
import { startUpstream, type Upstream } from './servers.js';

export interface EndlessDownload {
  readonly up: Upstream;
  readonly heldUp: Promise<void>;
  readonly aborted: Promise<void>;
}

export async function endlessDownload(): Promise<EndlessDownload> {
  const chunk = Buffer.alloc(65_536, 0x61);
  let upstreamAborted!: () => void;
  const aborted = new Promise<void>((resolve) => (upstreamAborted = resolve));
  let upstreamHeldUp!: () => void;
  const heldUp = new Promise<void>((resolve) => (upstreamHeldUp = resolve));
  const up = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.on('close', () => {
      if (!res.writableFinished) upstreamAborted();
    });
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
      upstreamHeldUp();
    };
    res.on('drain', pump);
    pump(); // endless: for as long as the proxy takes it
  });
  return { up, heldUp, aborted };
}
