#!/usr/bin/env node
// Asks a served console what a browser would, from wherever this runs: the tests of `strata install` run it inside
// the install sandbox's network namespace (InstallSandbox.run), where the local cluster's addresses are. Prints one
// JSON line (consoleProbeSchema); it asserts nothing itself, the test does.
//   console-probe.ts <console URL> <CA file> <token file> <another CA file>
import { readFile } from 'node:fs/promises';
import { httpsRequest } from '@strata/host';
import { CONSOLE_ANSWER_MS, openConsoleSignIn, type ConsoleProbe } from './console-sign-in.ts';

async function probe(url: string, caFile: string, tokenFile: string, otherCaFile: string): Promise<ConsoleProbe> {
  const tls = { ca: await readFile(caFile, 'utf8') };
  const token = (await readFile(tokenFile, 'utf8')).trim();
  const health = await httpsRequest(`${url}/healthz`, tls, { timeoutMs: CONSOLE_ANSWER_MS });
  const otherCa = await httpsRequest(`${url}/healthz`, { ca: await readFile(otherCaFile, 'utf8') }).then(
    (answer) => ({ status: answer.status }),
    (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
  );
  const { signIn } = await openConsoleSignIn(url, tls);
  const tampered = await signIn(`${token.slice(0, -4)}AAAA`);
  const signedIn = await signIn(token);
  return {
    health: { status: health.status, body: health.body },
    otherCa,
    tampered: { status: tampered.status, body: tampered.body },
    signedIn: { status: signedIn.status, body: signedIn.body },
  };
}

const [url, caFile, tokenFile, otherCaFile] = process.argv.slice(2);
if (url === undefined || caFile === undefined || tokenFile === undefined || otherCaFile === undefined) {
  process.stderr.write('usage: console-probe.ts <console URL> <CA file> <token file> <another CA file>\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await probe(url, caFile, tokenFile, otherCaFile))}\n`);
