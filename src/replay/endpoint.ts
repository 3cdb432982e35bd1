// An endpoint template: the method and the path with its query left out and the segments that
// name one thing (numbers, UUIDs, long hex or token-like ids) replaced by `{id}`, so that
// `GET /orders/42?x=1` and `GET /orders/7` are one endpoint, `GET /orders/{id}`. Pure.

const ID_SEGMENTS = [
  /^\d+$/, // 42
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // a UUID
  /^[0-9a-f]{12,}$/i, // an object id, a hash
  /^(?=.*\d)[A-Za-z0-9_-]{20,}$/, // a long token with digits in it
];

function isId(segment: string): boolean {
  return ID_SEGMENTS.some((re) => re.test(segment));
}

export function endpointTemplate(method: string, path: string): string {
  const q = path.indexOf('?');
  const bare = q < 0 ? path : path.slice(0, q);
  const segments = bare.split('/').map((s) => (s !== '' && isId(s) ? '{id}' : s));
  return `${method.toUpperCase()} ${segments.join('/') || '/'}`;
}
