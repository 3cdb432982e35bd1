// Copies the users from the monolith's store file into the users service's store file:
// upsert by id (same ids on both sides), so running it twice changes nothing the second
// time. Users that exist only in the users service are kept. The target is written
// atomically, and only when something changed. Run it while the users service is stopped:
// a running service keeps its data in memory and would overwrite the file on its next write.
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';
import { storeFile } from './json-store.js';
import { emptyUsersData, type User, type UsersData } from './model.js';

export interface CopyUsersResult {
  from: string;
  to: string;
  copied: number;
  added: number;
  changed: number;
  unchanged: number;
}

export async function copyUsers(legacyDataDir: string, usersDataDir: string): Promise<CopyUsersResult> {
  const from = storeFile(legacyDataDir);
  const to = storeFile(usersDataDir);
  const source = await readJsonFile<Partial<UsersData>>(from);
  if (!source) throw new Error(`no monolith store at ${from}: start the legacy monolith once (it seeds its store) or pass its data dir`);
  if (!Array.isArray(source.users)) throw new Error(`${from} has no "users" list`);
  const existing = await readJsonFile<UsersData>(to);
  const target = existing ?? emptyUsersData();

  const byId = new Map<number, User>(target.users.map((u) => [u.id, u]));
  const result: CopyUsersResult = { from, to, copied: source.users.length, added: 0, changed: 0, unchanged: 0 };
  for (const { id, email, name } of source.users) {
    const before = byId.get(id);
    if (!before) result.added++;
    else if (before.email !== email || before.name !== name) result.changed++;
    else result.unchanged++;
    byId.set(id, { id, email, name });
  }
  const users = [...byId.values()].sort((a, b) => a.id - b.id);
  const maxId = users.reduce((max, u) => Math.max(max, u.id), 0);
  const nextUsers = Math.max(target.nextId.users, source.nextId?.users ?? 1, maxId + 1);
  const updated: UsersData = { ...target, users, nextId: { ...target.nextId, users: nextUsers } };
  if (JSON.stringify(updated) !== JSON.stringify(existing)) await writeJsonFileAtomic(to, updated);
  return result;
}

export function describeCopy(r: CopyUsersResult): string {
  return `copied ${r.copied} users from ${r.from} to ${r.to} (${r.added} new, ${r.changed} changed, ${r.unchanged} unchanged)`;
}

/** True when the users service's store does not exist yet or holds no users. */
export async function usersStoreIsEmpty(usersDataDir: string): Promise<boolean> {
  const data = await readJsonFile<Partial<UsersData>>(storeFile(usersDataDir));
  return !data || !Array.isArray(data.users) || data.users.length === 0;
}
