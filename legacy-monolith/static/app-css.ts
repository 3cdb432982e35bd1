// The stylesheet served at /static/app.css (kept in a module so `tsc` ships it in dist/).
export const APP_CSS = `body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #222; background: #f6f5f1; }
header { display: flex; justify-content: space-between; align-items: center; padding: .5rem 1.5rem; background: #5b3a29; }
header a { color: #fff; text-decoration: none; margin-right: 1rem; }
header img { vertical-align: middle; }
main { max-width: 60rem; margin: 1.5rem auto; padding: 0 1.5rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; background: #fff; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; }
form label { display: block; margin: .5rem 0; }
.error { color: #a40000; }
.hint { color: #666; font-size: .9em; }
`;
