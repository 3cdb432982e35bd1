// A whole data set kept in memory and persisted to one JSON file after every change.
// Changes run one at a time: each works on a copy of the current data, the copy is written
// atomically, and only then becomes the data readers see. A change that throws writes nothing.
import { join } from 'node:path';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';

/** The file a data dir's store lives in; the apps and copy-users agree on it through this. */
export function storeFile(dataDir: string): string {
  return join(dataDir, 'store.json');
}

export class JsonStore<T> {
  #data: T;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    data: T,
  ) {
    this.#data = data;
  }

  /** Opens the store in `file`; when the file does not exist yet, writes `seed()` to it first. */
  static async open<T>(file: string, seed: () => T): Promise<JsonStore<T>> {
    const existing = await readJsonFile<T>(file);
    if (existing !== undefined) return new JsonStore(file, existing);
    const data = seed();
    await writeJsonFileAtomic(file, data);
    return new JsonStore(file, data);
  }

  /** The current data. Treat it as read-only: change it through update(). */
  get data(): T {
    return this.#data;
  }

  /** Applies `change` to a copy of the data, persists the copy, then makes it current. */
  update<R>(change: (draft: T) => R): Promise<R> {
    const run = async (): Promise<R> => {
      const draft = structuredClone(this.#data);
      const result = change(draft);
      await writeJsonFileAtomic(this.file, draft);
      this.#data = draft;
      return result;
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
