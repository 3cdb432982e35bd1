// What the recording writer does to the disk, as an interface: node:fs/promises by default, a
// test's own (a stalled disk, a failing one) when injected.

import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';

export interface RecordFile {
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
  /** Whether the path still names this open file (false: deleted or moved away by hand, e.g.
   *  `rm`, logrotate). Absent: assumed so. */
  isCurrent?(): Promise<boolean>;
}

export interface RecordFileSystem {
  /** Opens `file` for appending (its folder created first); resolves with it, its current size,
   *  and whether it ends mid-line (its last byte not `\n`: a write cut short, a disk that filled). */
  open(file: string): Promise<{ readonly file: RecordFile; readonly size: number; readonly endsMidLine?: boolean }>;
  /** The names in `file`'s folder (for the rotation number). */
  siblings(file: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
}

export const nodeFileSystem: RecordFileSystem = {
  async open(file) {
    await mkdir(path.dirname(file), { recursive: true });
    // Non-blocking: a FIFO (or another special file) is refused below, never waited on (a write
    // to a pipe nobody reads held one of libuv's four threads, and DNS lookups queued behind).
    const handle = await open(file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o666);
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new Error(`${file} is not a regular file (a recording is appended to, rotated and read back)`);
      const { size } = info;
      const last = Buffer.alloc(1);
      const endsMidLine = size > 0 && (await handle.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a;
      return {
        size,
        endsMidLine,
        file: {
          write: async (data) => {
            let off = 0;
            while (off < data.length) off += (await handle.write(data, off)).bytesWritten;
          },
          close: () => handle.close(),
          isCurrent: async () => {
            const [open, named] = await Promise.all([handle.stat(), stat(file).catch(() => null)]);
            return named !== null && named.ino === open.ino && named.dev === open.dev;
          },
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
