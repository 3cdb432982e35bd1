// What the demo prints once everything is up: where each part listens and what to try.

export interface StackAddresses {
  legacyUrl: string;
  usersUrl: string;
  ordersUrl: string;
  proxyPort: number;
  adminPort: number;
  legacyDataDir: string;
  usersDataDir: string;
  ordersDataDir: string;
  /** Each process of the stack (to pause one: kill -STOP <pid>). */
  pids: readonly { name: string; pid: number | undefined }[];
}

export function banner(a: StackAddresses): string {
  const proxy = `http://localhost:${a.proxyPort}`;
  const admin = `http://127.0.0.1:${a.adminPort}`;
  const tries = [
    [`curl -i localhost:${a.proxyPort}/users/1`, 'X-Served-By: users-service'],
    [`curl -i localhost:${a.proxyPort}/orders`, 'X-Served-By: legacy-monolith (and mirrored to the orders service)'],
    [`curl localhost:${a.adminPort}/routes`, 'the live route table'],
  ];
  // npm run traffic assumes the default ports; name the others.
  const flags = [
    ...(a.proxyPort === 8080 ? [] : [`--url ${proxy}`]),
    ...(a.adminPort === 9901 ? [] : [`--admin ${admin}`]),
  ];
  const trafficFlags = flags.length === 0 ? '' : ` -- ${flags.join(' ')}`;
  const shadow = [
    [`open ${admin}/`, 'the migration dashboard: progress, every route, click one for its shadow report'],
    [`npm run traffic${trafficFlags}`, 'a few hundred requests through the proxy, then stops'],
    [`open ${admin}/shadow`, 'the shadow report: where the orders service differs'],
    [`curl localhost:${a.adminPort}/shadow/report`, 'the same, as JSON'],
  ];
  // `strangler status` and `report` in another shell find the admin API on the default port only.
  const elsewhere = a.adminPort === 9901 ? '' : `\n    (in another shell: ADMIN_PORT=${a.adminPort} npx strangler status, or --admin ${admin})`;
  const pids = a.pids.map((p) => `${p.name} ${p.pid ?? '?'}`).join(', ');
  const column = Math.max(a.legacyUrl.length, a.usersUrl.length, a.ordersUrl.length, proxy.length) + 2;
  const list = (rows: string[][]) => {
    const width = Math.max(...rows.map(([command]) => command!.length)) + 2;
    return rows.map(([command, note]) => `    ${command!.padEnd(width)}# ${note}`).join('\n');
  };
  return `
  The demo stack is up.
    legacy monolith  ${a.legacyUrl.padEnd(column)}data: ${a.legacyDataDir}
    users service    ${a.usersUrl.padEnd(column)}data: ${a.usersDataDir}
    orders service   ${a.ordersUrl.padEnd(column)}data: ${a.ordersDataDir}  (shadow of /orders)
    proxy            ${proxy.padEnd(column)}admin: ${admin}
    pids: ${pids}${elsewhere}

  Try, through the proxy:
${list(tries)}

  Compare the orders service with the monolith on real traffic (README, "Shadow compare"):
${list(shadow)}

  Ctrl-C stops everything.
`;
}
