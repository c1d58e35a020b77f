import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { UpdateServerError } from '../errors.ts';
import { chooseStore, DATABASE_URL_VARIABLE, parseRunFlags } from './flags.ts';

/** Flags as commander hands them over: every value a string. */
function someFlags(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    identity: 'update-server-0',
    leaseNamespace: 'strata-system',
    host: '0.0.0.0',
    port: '8443',
    sqlitePath: '/var/lib/strata-update-server/updates.db',
    historyRetentionSeconds: '7776000',
    logLevel: 'info',
    ...overrides,
  };
}

function refusal(raw: unknown): UpdateServerError {
  try {
    parseRunFlags(raw);
  } catch (error) {
    assert.ok(error instanceof UpdateServerError);
    return error;
  }
  assert.fail('the flags were accepted');
}

describe('update-server run flags', () => {
  it('accepts the defaults and converts numbers', () => {
    const flags = parseRunFlags(someFlags());
    assert.equal(flags.port, 8443);
    assert.equal(flags.historyRetentionSeconds, 7_776_000);
  });

  it('names the flag that is wrong', () => {
    assert.match(refusal(someFlags({ port: '70000' })).message, /^--port /);
    assert.match(refusal(someFlags({ port: 'https' })).message, /^--port /);
    assert.match(
      refusal(someFlags({ leaseNamespace: 'Strata_System' })).message,
      /^--lease-namespace must be a namespace name/,
    );
    assert.match(refusal(someFlags({ historyRetentionSeconds: '60' })).message, /^--history-retention-seconds /);
    assert.match(refusal(someFlags({ logLevel: 'loud' })).message, /^--log-level /);
    assert.match(refusal(someFlags({ tlsCertFile: '/tls/tls.crt' })).message, /^--tls-cert-file give both/);
  });

  it('chooses PostgreSQL only when the Secret’s URL is set, and never repeats the URL in an error', () => {
    const flags = parseRunFlags(someFlags());
    assert.deepEqual(chooseStore(flags, {}), { kind: 'sqlite', path: '/var/lib/strata-update-server/updates.db' });
    assert.deepEqual(chooseStore(flags, { [DATABASE_URL_VARIABLE]: 'postgres://u:secret@db:5432/updates' }), {
      kind: 'postgres',
      connectionString: 'postgres://u:secret@db:5432/updates',
    });
    assert.throws(
      () => chooseStore(flags, { [DATABASE_URL_VARIABLE]: 'mysql://u:hunter2@db/updates' }),
      (error: unknown) => error instanceof UpdateServerError && !error.message.includes('hunter2'),
    );
  });

  it('stops the binary at once on a bad flag, naming it', () => {
    const bin = fileURLToPath(new URL('../../bin/update-server.ts', import.meta.url));
    const run = spawnSync(process.execPath, [bin, 'run', '--port', 'none', '--kubeconfig', '/nonexistent'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /--port must be a whole number/);
  });
});
