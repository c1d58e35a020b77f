#!/usr/bin/env node
// The console's own entry point, started as a process by `strata up` (ADR 0061) and by the in-cluster image:
//   console build   makes the production build unless it is current, its progress on stdout
//   console serve   serves the build over HTTPS (the configuration as console/README.md says, from the environment)
import { parseArgs } from 'node:util';
import { z } from 'zod';

const USAGE = `usage:
  console build
  console serve --host <address> --port <port> --tls-cert-file <pem> --tls-key-file <pem>`;

const serveOptions = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  'tls-cert-file': z.string().min(1),
  'tls-key-file': z.string().min(1),
});

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'tls-cert-file': { type: 'string' },
    'tls-key-file': { type: 'string' },
  },
});

// React and Next.js pick their production code by NODE_ENV when they load, so it is set before either is imported.
Object.assign(process.env, { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' });

switch (positionals[0]) {
  case 'build': {
    const { ensureConsoleBuilt } = await import('../server/build.ts');
    await ensureConsoleBuilt({ progress: (line) => process.stdout.write(`${line}\n`) });
    break;
  }
  case 'serve': {
    const parsed = serveOptions.safeParse(values);
    if (!parsed.success) fail(z.prettifyError(parsed.error));
    const { ConsoleServerError, startConsoleServer } = await import('../server/https-server.ts');
    const server = await startConsoleServer({
      host: parsed.data.host,
      port: parsed.data.port,
      certFile: parsed.data['tls-cert-file'],
      keyFile: parsed.data['tls-key-file'],
      onError: (error) =>
        process.stderr.write(`request failed: ${error instanceof Error ? error.stack : String(error)}\n`),
    }).catch((error: unknown) => {
      // A port taken, say: the reason alone, which `strata up` shows from the log's last lines.
      if (!(error instanceof ConsoleServerError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    });
    process.stdout.write(`the console serves ${server.url}\n`);
    const stop = () => {
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    break;
  }
  default:
    fail(positionals[0] === undefined ? 'no command given' : `unknown command "${positionals[0]}"`);
}
