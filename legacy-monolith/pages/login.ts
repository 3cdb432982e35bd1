// GET /login: the sign-in form, with an error line after a failed attempt.
import { escapeHtml, layout } from './layout.js';

export function renderLogin(error?: string, email = ''): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
<label>Email <input type="email" name="email" value="${escapeHtml(email)}" required></label>
<label>Password <input type="password" name="password" required></label>
<button type="submit">Sign in</button>
</form>
<p class="hint">Demo: any user's email (e.g. ada@example.com) with the password <code>demo</code>.</p>`,
  );
}
