// The users of a store, with the rules both the monolith and the users service enforce:
// ids come from a counter and are never reused, and an email belongs to one user only
// (compared case-insensitively). Checks run inside the store's serialized update, so two
// concurrent requests cannot both take the same email.
import { HttpError, notFound } from './http-error.js';
import type { JsonStore } from './json-store.js';
import type { User, UsersData } from './model.js';

export type UserInput = Omit<User, 'id'>;

export class UsersTable<D extends UsersData> {
  constructor(private readonly store: JsonStore<D>) {}

  list(): readonly User[] {
    return this.store.data.users;
  }

  get(id: number): User | undefined {
    return this.store.data.users.find((u) => u.id === id);
  }

  create(input: UserInput): Promise<User> {
    return this.store.update((data) => {
      assertEmailFree(data.users, input.email);
      const user: User = { id: data.nextId.users++, email: input.email, name: input.name };
      data.users.push(user);
      return user;
    });
  }

  update(id: number, patch: Partial<UserInput>): Promise<User> {
    return this.store.update((data) => {
      const user = data.users.find((u) => u.id === id);
      if (!user) throw notFound(`user ${id}`);
      if (patch.email !== undefined) assertEmailFree(data.users, patch.email, id);
      Object.assign(user, patch);
      return user;
    });
  }

  remove(id: number): Promise<void> {
    return this.store.update((data) => {
      const index = data.users.findIndex((u) => u.id === id);
      if (index < 0) throw notFound(`user ${id}`);
      data.users.splice(index, 1);
    });
  }
}

function assertEmailFree(users: readonly User[], email: string, exceptId?: number): void {
  const taken = users.find((u) => u.id !== exceptId && u.email.toLowerCase() === email.toLowerCase());
  if (taken) throw new HttpError(409, 'conflict', `email ${email} already belongs to user ${taken.id}`);
}
