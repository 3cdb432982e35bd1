// A login page shaped like Django's admin login (django/contrib/admin/templates/admin/login.html
// as Django 3.2 renders it): a per-answer csrfmiddlewaretoken, a <title>, and the site header in
// <h1 id="site-name">. Options vary what a real second process or a real regression varies.

export interface LoginPageOptions {
  /** The hidden input's value (Django masks the token anew for every answer). */
  readonly csrf: string;
  /** admin.site.site_header. */
  readonly siteHeader?: string;
  /** Write the login form's attributes in another order. */
  readonly reorderAttributes?: boolean;
  /** Indent with other whitespace between elements (another template engine, a minifier). */
  readonly compact?: boolean;
}

export function djangoLoginPage(o: LoginPageOptions): string {
  const header = o.siteHeader ?? 'Django administration';
  const form = o.reorderAttributes
    ? '<form method="post" id="login-form" action="/admin/login/?next=/admin/">'
    : '<form action="/admin/login/?next=/admin/" method="post" id="login-form">';
  const page = `<!DOCTYPE html>
<html lang="en-us" dir="ltr">
<head>
<title>Log in | Django site admin</title>
<link rel="stylesheet" type="text/css" href="/static/admin/css/base.css">
<link rel="stylesheet" type="text/css" href="/static/admin/css/login.css">
<meta name="viewport" content="user-scalable=no, width=device-width, initial-scale=1.0, maximum-scale=1.0">
<meta name="robots" content="NONE,NOARCHIVE">
</head>
<body class=" login" data-admin-utc-offset="0">
<!-- Container -->
<div id="container">
    <!-- Header -->
    <div id="header">
        <div id="branding">
        <h1 id="site-name"><a href="/admin/">${header}</a></h1>
        </div>
    </div>
    <!-- END Header -->
    <!-- Content -->
    <div id="content" class="colM">
<div id="content-main">
${form}<input type="hidden" name="csrfmiddlewaretoken" value="${o.csrf}">
  <div class="form-row">
    <label class="required" for="id_username">Username:</label> <input type="text" name="username" autofocus autocapitalize="none" autocomplete="username" maxlength="150" required id="id_username">
  </div>
  <div class="form-row">
    <label class="required" for="id_password">Password:</label> <input type="password" name="password" autocomplete="current-password" required id="id_password">
    <input type="hidden" name="next" value="/admin/">
  </div>
  <div class="submit-row">
    <input type="submit" value="Log in">
  </div>
</form>
</div>
        <br class="clear">
    </div>
    <!-- END Content -->
    <div id="footer"></div>
</div>
<!-- END Container -->
</body>
</html>
`;
  return o.compact ? page.replace(/>\s+</g, '><').replace(/\n/g, '') : page;
}

/** 64 characters like a masked Django CSRF token, different for each n. */
export function csrfToken(n: number): string {
  const base = 'Xq3hV9tLr2Pz8WkJm5Ns7Bd4Fg6Hc1Ya0Ue';
  return (base + base).slice(n % 10, (n % 10) + 54) + String(n).padStart(10, '0');
}
