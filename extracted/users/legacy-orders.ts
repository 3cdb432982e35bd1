// A user's orders still live in the monolith: the users service asks it over HTTP
// (GET <LEGACY_URL>/orders?userId=N), passing the request id along for tracing.
// A monolith that is down or answers badly becomes a 502 legacy_unavailable.
import { HttpError } from '../../demo-kit/http-error.js';
import type { Order } from '../../demo-kit/model.js';

const TIMEOUT_MS = 5000;

export async function fetchLegacyOrders(legacyUrl: string, userId: number, requestId?: string): Promise<Order[]> {
  const url = `${legacyUrl.replace(/\/+$/, '')}/orders?userId=${userId}`;
  const unavailable = (why: string) => new HttpError(502, 'legacy_unavailable', `could not get the orders of user ${userId} from the monolith (${url}): ${why}`);
  let res: Response;
  try {
    res = await fetch(url, { headers: requestId ? { 'x-request-id': requestId } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw unavailable(cause?.message ?? (err as Error).message);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw unavailable(`it answered ${res.status}`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!Array.isArray(body)) throw unavailable('its answer is not a JSON list');
  return body as Order[];
}
