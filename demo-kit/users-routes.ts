// The /users API, one implementation for the monolith and the extracted users service, so
// both answer with the same shapes, statuses and errors. Only where a user's orders come
// from differs (`ordersOf`).
import type { IncomingMessage } from 'node:http';
import { notFound } from './http-error.js';
import { readJsonBody } from './http-body.js';
import { sendJson } from './http-reply.js';
import type { Order, User, UsersData } from './model.js';
import type { Router } from './router.js';
import type { UserInput, UsersTable } from './users-table.js';
import { asFields, FieldChecker, parseId } from './validate.js';

export type OrdersOf = (userId: number, req: IncomingMessage) => Promise<readonly Order[]>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function addUsersRoutes<D extends UsersData>(router: Router, users: UsersTable<D>, ordersOf: OrdersOf): void {
  const find = (idText: string | undefined): User => {
    const id = parseId(idText);
    const user = id === undefined ? undefined : users.get(id);
    if (!user) throw notFound(`user ${idText}`);
    return user;
  };

  router.get('/users', ({ res }) => sendJson(res, 200, users.list()));

  router.post('/users', async ({ req, res }) => {
    const input = parseUserInput(await readJsonBody(req), true) as UserInput;
    const user = await users.create(input);
    sendJson(res, 201, user, { location: `/users/${user.id}` });
  });

  router.get('/users/:id', ({ res, params }) => sendJson(res, 200, find(params.id)));

  router.put('/users/:id', async ({ req, res, params }) => {
    const { id } = find(params.id);
    const patch = parseUserInput(await readJsonBody(req), false);
    sendJson(res, 200, await users.update(id, patch));
  });

  router.delete('/users/:id', async ({ res, params }) => {
    await users.remove(find(params.id).id);
    res.writeHead(204).end();
  });

  router.get('/users/:id/details', async ({ req, res, params }) => {
    const user = find(params.id);
    sendJson(res, 200, { ...user, orders: await ordersOf(user.id, req) });
  });
}

/** POST needs both fields; PUT changes the fields it names (at least one). */
function parseUserInput(body: unknown, create: boolean): Partial<UserInput> {
  const fields = asFields(body);
  const checker = new FieldChecker(fields);
  const email = checker.string('email', { required: create, max: 254, pattern: EMAIL, expected: 'an email address' });
  const name = checker.string('name', { required: create, max: 100 });
  if (!create && fields.email === undefined && fields.name === undefined) checker.fail('$', 'must contain email or name');
  checker.check();
  return { ...(email !== undefined && { email }), ...(name !== undefined && { name }) };
}
