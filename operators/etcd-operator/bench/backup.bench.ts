// Backup throughput: the operator's snapshot (gRPC stream to a file, then the trailer and revision check) against
// `etcdctl snapshot save` on the same etcd and data, alternating, over TLS as for the control plane's own etcd.
// Not a test: `npm run bench:backup -w @strata/etcd-operator` (no fixed addresses: no lock needed).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemPairPaths, readPemPair } from '@strata/assets';
import { sharedControlPlane } from '@strata/harness';
import { runCommand } from '@strata/host';
import { takeSnapshot } from '../src/backup/take-snapshot.ts';
import { EtcdClient } from '../src/etcd/gateway-client.ts';

const KEYS = 1000;
const VALUE_BYTES = 48 * 1024;
const ROUNDS = 5;
const report = (line: string): void => void process.stdout.write(`${line}\n`);
const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const cluster = await sharedControlPlane();
const { pkiDir, etcdEndpoint, binaries } = cluster.info;
const [ca, client] = await Promise.all([readPemPair(pkiDir, 'etcd-ca'), readPemPair(pkiDir, 'apiserver-etcd-client')]);
const tls = { ca: ca.certificatePem, cert: client.certificatePem, key: client.privateKeyPem };
const work = await mkdtemp(join(tmpdir(), 'strata-backup-bench-'));
try {
  const etcd = new EtcdClient({ tls, timeoutMs: 10_000 });
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < KEYS) {
      const index = next++;
      await etcd.put(etcdEndpoint, `/backup-bench/${index}`, randomBytes((VALUE_BYTES * 3) / 4).toString('base64'));
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
  const clientPaths = pemPairPaths(pkiDir, 'apiserver-etcd-client');
  const etcdctlArgs = [
    `--endpoints=${etcdEndpoint}`,
    `--cacert=${pemPairPaths(pkiDir, 'etcd-ca').certificatePath}`,
    `--cert=${clientPaths.certificatePath}`,
    `--key=${clientPaths.privateKeyPath}`,
  ];
  const operatorRates: number[] = [];
  const etcdctlRates: number[] = [];
  let size = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const target = join(work, `etcdctl-${round}.db`);
    let started = performance.now();
    const saved = await runCommand(binaries.etcdctl ?? 'etcdctl', [...etcdctlArgs, 'snapshot', 'save', target]);
    if (saved.code !== 0) throw new Error(`etcdctl snapshot save failed: ${saved.stderr}`);
    size = (await stat(target)).size;
    etcdctlRates.push(size / 1e6 / ((performance.now() - started) / 1000));
    started = performance.now();
    const taken = await takeSnapshot({ endpoints: [etcdEndpoint], tls }, join(work, 'operator'));
    operatorRates.push(taken.size / 1e6 / ((performance.now() - started) / 1000));
    await rm(target);
    await rm(taken.path);
  }
  const [ours, theirs] = [median(operatorRates), median(etcdctlRates)];
  report(`snapshot size ${(size / 1e6).toFixed(1)} MB, ${ROUNDS} rounds each, medians:`);
  report(`  operator (gRPC, verified): ${ours.toFixed(1)} MB/s`);
  report(`  etcdctl snapshot save:     ${theirs.toFixed(1)} MB/s`);
  report(
    `  ratio: ${(ours / theirs).toFixed(2)} (aim ≥ 0.8); load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
