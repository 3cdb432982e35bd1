// A proxy's /metrics, read as the tests need it.

/** Every sample line of one metric on the admin port (its name, then `{` or a space). */
export async function metricLines(adminUrl: string, name: string): Promise<string[]> {
  const text = await (await fetch(adminUrl + '/metrics')).text();
  return text.split('\n').filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '));
}
