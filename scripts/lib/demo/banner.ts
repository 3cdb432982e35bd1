// What the demo prints once everything is up: where each part listens and what to try.

export interface StackAddresses {
  legacyUrl: string;
  usersUrl: string;
  proxyPort: number;
  adminPort: number;
  legacyDataDir: string;
  usersDataDir: string;
}

export function banner(a: StackAddresses): string {
  const proxy = `http://localhost:${a.proxyPort}`;
  const admin = `http://127.0.0.1:${a.adminPort}`;
  const tries = [
    [`curl -i localhost:${a.proxyPort}/users/1`, 'X-Served-By: users-service'],
    [`curl -i localhost:${a.proxyPort}/orders`, 'X-Served-By: legacy-monolith'],
    [`curl localhost:${a.adminPort}/routes`, 'the live route table'],
  ];
  const width = Math.max(...tries.map(([command]) => command!.length)) + 2;
  const column = Math.max(a.legacyUrl.length, a.usersUrl.length, proxy.length) + 2;
  return `
  The demo stack is up.
    legacy monolith  ${a.legacyUrl.padEnd(column)}data: ${a.legacyDataDir}
    users service    ${a.usersUrl.padEnd(column)}data: ${a.usersDataDir}
    proxy            ${proxy.padEnd(column)}admin: ${admin}

  Try, through the proxy:
${tries.map(([command, note]) => `    ${command!.padEnd(width)}# ${note}`).join('\n')}

  Ctrl-C stops everything.
`;
}
