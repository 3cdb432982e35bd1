// The HTML frame every server-rendered page shares, and escaping for values put into it.

export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `body` must already be escaped HTML. */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} · Legacy Shop</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header><a href="/"><img src="/static/logo.svg" alt="" width="32" height="32"> Legacy Shop</a>
<nav><a href="/">Dashboard</a> <a href="/account">Account</a></nav></header>
<main>
${body}
</main>
</body>
</html>
`;
}
