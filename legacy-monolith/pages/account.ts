// GET /account: the signed-in user's details and orders, and the sign-out button.
import type { Order, User } from '../../demo-kit/model.js';
import { escapeHtml, layout } from './layout.js';

export function renderAccount(user: User, orders: readonly Order[]): string {
  const rows = orders.map((o) => `<li>#${o.id} ${escapeHtml(o.product)} × ${o.quantity}</li>`);
  return layout(
    'Account',
    `<h1>Hello, ${escapeHtml(user.name)}</h1>
<p>Signed in as ${escapeHtml(user.email)}.</p>
<h2>Your orders</h2>
<ul class="orders">${rows.join('\n') || '<li>No orders yet.</li>'}</ul>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`,
  );
}
