import { createManagementApp, listen } from './app';
import { loadManagementConfig } from './config/config.schema';

async function main(): Promise<void> {
  const config = loadManagementConfig();
  const app = await createManagementApp(config);
  const port = await listen(app, config.MANAGEMENT_PORT, config.MANAGEMENT_HOST);
  console.log(
    JSON.stringify({ level: 'info', service: 'management-api', msg: `listening on ${config.MANAGEMENT_HOST}:${port}` }),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Escalate-safe: if a close hook hangs, exit anyway.
    setTimeout(() => process.exit(1), 10_000).unref();
    console.log(JSON.stringify({ level: 'info', service: 'management-api', msg: `${signal}: shutting down` }));
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
