// GET /: every user and the ten most recent orders, rendered on the server.
import type { Order } from '../../demo-kit/model.js';
import type { LegacyData } from '../db.js';
import { escapeHtml, layout } from './layout.js';

export function renderDashboard(data: LegacyData): string {
  const nameOf = new Map(data.users.map((u) => [u.id, u.name]));
  const recent = [...data.orders].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id).slice(0, 10);
  const users = data.users.map((u) => `<tr><td>${u.id}</td><td>${escapeHtml(u.name)}</td><td>${escapeHtml(u.email)}</td></tr>`);
  const orders = recent.map((o: Order) =>
    `<tr><td>${o.id}</td><td>${escapeHtml(nameOf.get(o.userId) ?? `user ${o.userId}`)}</td><td>${escapeHtml(o.product)}</td><td>${o.quantity}</td><td>${escapeHtml(o.createdAt)}</td></tr>`,
  );
  return layout(
    'Dashboard',
    `<h1>Dashboard</h1>
<section><h2>Users</h2>
<table class="users"><thead><tr><th>#</th><th>Name</th><th>Email</th></tr></thead>
<tbody>${users.join('\n')}</tbody></table></section>
<section><h2>Recent orders</h2>
<table class="orders"><thead><tr><th>#</th><th>Customer</th><th>Product</th><th>Qty</th><th>Placed</th></tr></thead>
<tbody>${orders.join('\n')}</tbody></table></section>`,
  );
}
