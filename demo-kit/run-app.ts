// The shared shape of an app's main.ts: start, print one line once listening, stop cleanly
// on SIGTERM or SIGINT (a second signal exits at once), and explain a failed start.

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export async function runApp(name: string, start: () => Promise<RunningApp>): Promise<void> {
  let app: RunningApp;
  try {
    app = await start();
  } catch (err) {
    console.error(`${name} failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`${name} stopping (${signal})`);
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`${name} failed to stop cleanly: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Only now: whoever waits for this line may signal at once, and must find the handlers.
  console.log(`${name} listening on ${app.url}`);
}
