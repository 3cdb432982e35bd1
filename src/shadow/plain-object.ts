// Plain objects used as string-keyed records (JSON values: reports, picked headers) whose keys
// come from traffic or config, so a key may be spelled `__proto__`. Pure.

/** Sets a key on a plain object even when it is spelled `__proto__`. */
export function put<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** The object's own value at key (never one inherited from Object.prototype). */
export function get<T>(obj: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
