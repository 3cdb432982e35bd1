// Copies one list of records (users, orders) from the monolith's store file into an extracted
// service's store file: upsert by id (same ids on both sides), so running it twice changes
// nothing the second time; until the cutover the monolith is the source of truth, so an id on
// both sides takes the monolith's record. Records that exist only in the service are kept, and
// the service's next id stays above every id it holds and the monolith's next id. The target is
// written atomically, and only when something changed. Run it while the service is stopped: a
// running service keeps its data in memory and would overwrite the file on its next write.
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';
import { storeFile } from './json-store.js';

/** A store holding the list `K` of records with ids, and its next id. */
export type IdListData<K extends string, T extends { id: number }> = { [P in K]: T[] } & { nextId: { [P in K]: number } };

/** S: a record in the monolith's store; T: in the service's; D: the service's store. */
export interface CopyByIdSpec<K extends string, S, T extends { id: number }, D extends IdListData<K, T>> {
  /** The list's name in both stores, e.g. "users". */
  readonly key: K;
  /** A monolith record in the service's shape; throws on one it cannot turn. `from` is the source file. */
  readonly convert: (record: S, from: string) => T;
  readonly same: (a: T, b: T) => boolean;
  /** The service's store when it has no file yet. */
  readonly empty: () => D;
}

export interface CopyResult {
  from: string;
  to: string;
  copied: number;
  added: number;
  changed: number;
  unchanged: number;
}

export async function copyById<K extends string, S, T extends { id: number }, D extends IdListData<K, T>>(
  spec: CopyByIdSpec<K, S, T, D>,
  legacyDataDir: string,
  targetDataDir: string,
): Promise<CopyResult> {
  const { key } = spec;
  const from = storeFile(legacyDataDir);
  const to = storeFile(targetDataDir);
  const source = await readJsonFile<Partial<Record<K, S[]>> & { nextId?: Partial<Record<K, number>> }>(from);
  if (!source) throw new Error(`no monolith store at ${from}: start the legacy monolith once (it seeds its store) or pass its data dir`);
  const list = source[key];
  if (!Array.isArray(list)) throw new Error(`${from} has no "${key}" list`);
  const converted = list.map((record) => spec.convert(record, from));
  const existing = await readJsonFile<D>(to);
  const target = existing ?? spec.empty();

  const byId = new Map<number, T>(target[key].map((r) => [r.id, r]));
  const result: CopyResult = { from, to, copied: converted.length, added: 0, changed: 0, unchanged: 0 };
  for (const record of converted) {
    const before = byId.get(record.id);
    if (!before) result.added++;
    else if (!spec.same(before, record)) result.changed++;
    else result.unchanged++;
    byId.set(record.id, record);
  }
  const records = [...byId.values()].sort((a, b) => a.id - b.id);
  const maxId = records.reduce((max, r) => Math.max(max, r.id), 0);
  const nextId = Math.max(target.nextId[key], source.nextId?.[key] ?? 1, maxId + 1);
  const updated = { ...target, [key]: records, nextId: { ...target.nextId, [key]: nextId } } as D;
  if (JSON.stringify(updated) !== JSON.stringify(existing)) await writeJsonFileAtomic(to, updated);
  return result;
}

/** One line for the log, e.g. `copied 3 users from … to … (3 new, 0 changed, 0 unchanged)`. */
export function describeCopyResult(what: string, r: CopyResult): string {
  return `copied ${r.copied} ${what} from ${r.from} to ${r.to} (${r.added} new, ${r.changed} changed, ${r.unchanged} unchanged)`;
}

/** True when the service's store does not exist yet or its list `key` is empty. */
export async function storeListIsEmpty(dataDir: string, key: string): Promise<boolean> {
  const data = await readJsonFile<Record<string, unknown>>(storeFile(dataDir));
  const list = data?.[key];
  return !data || !Array.isArray(list) || list.length === 0;
}
