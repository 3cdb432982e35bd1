// Copies the users from the monolith's store file into the users service's store file (upsert
// by id, idempotent; see copy-by-id.ts). Run it while the users service is stopped.
import { copyById, describeCopyResult, storeListIsEmpty, type CopyByIdSpec, type CopyResult } from './copy-by-id.js';
import { emptyUsersData, type User, type UsersData } from './model.js';

export type CopyUsersResult = CopyResult;

const USERS: CopyByIdSpec<'users', User, User, UsersData> = {
  key: 'users',
  convert: ({ id, email, name }) => ({ id, email, name }),
  same: (a, b) => a.email === b.email && a.name === b.name,
  empty: emptyUsersData,
};

export function copyUsers(legacyDataDir: string, usersDataDir: string): Promise<CopyUsersResult> {
  return copyById(USERS, legacyDataDir, usersDataDir);
}

export function describeCopy(r: CopyUsersResult): string {
  return describeCopyResult('users', r);
}

/** True when the users service's store does not exist yet or holds no users. */
export function usersStoreIsEmpty(usersDataDir: string): Promise<boolean> {
  return storeListIsEmpty(usersDataDir, 'users');
}
