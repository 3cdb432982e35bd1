// What the recording writer does to the disk, as an interface: node:fs/promises by default, a
// test's own (a stalled disk, a failing one) when injected.

import { mkdir, open, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';

export interface RecordFile {
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface RecordFileSystem {
  /** Opens `file` for appending (its folder created first); resolves with it and its current size. */
  open(file: string): Promise<{ readonly file: RecordFile; readonly size: number }>;
  /** The names in `file`'s folder (for the rotation number). */
  siblings(file: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
}

export const nodeFileSystem: RecordFileSystem = {
  async open(file) {
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(file, 'a');
    try {
      const { size } = await handle.stat();
      return {
        size,
        file: {
          write: async (data) => {
            let off = 0;
            while (off < data.length) off += (await handle.write(data, off)).bytesWritten;
          },
          close: () => handle.close(),
        },
      };
    } catch (err) {
      await handle.close();
      throw err;
    }
  },
  siblings: (file) => readdir(path.dirname(file)),
  rename: async (from, to) => {
    await stat(from); // (a missing file is an error here, not a silent no-op)
    await rename(from, to);
  },
};
