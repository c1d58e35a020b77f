// Benchmark: where an image pull's time goes inside a lab machine (TCG). One machine boots the node image over PXE
// with a rendered worker's Ignition (the path of e2e/src/lab/lab-cluster.lab.test.ts) against the lab's registry; its
// check stops the kubelet (so that nothing else pulls or runs beside it) and times, with containerd's own `ctr`
// through the node's hosts.toml mirrors: the fetch of an add-on image's blobs from the registry (TLS, the content
// store), its unpack into a snapshot, then, for comparison, Debian's `sha256sum` of the fetched blobs and `gzip -dc`
// of the largest layer, and a 64 MiB write with fsync. The same pulls natively: `pod-images.integration.test.ts`
// prints them (about 0.6 to 0.8 s each).
// Usage (from the root, as root): npm run bench:lab-pull -w e2e [-- --out results.json]
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { COREDNS_IMAGE, FLANNEL_IMAGE, KUBE_PROXY_IMAGE_REPOSITORY } from '@strata/assets';
import { KUBERNETES_VERSION } from '@strata/binaries';
import { ensureNodeImage } from '@strata/node-image';
import { startLabNodeCluster } from '../../src/lab/testing/lab-node-cluster.ts';
import { say } from './bench-args.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const CONTROLLER = { name: 'pull-ctrl-1', mac: '52:54:00:5c:00:01' };
const WORKER = { name: 'pull-node-1', mac: '52:54:00:5c:00:11' };
const IMAGES = [`${KUBE_PROXY_IMAGE_REPOSITORY}:${KUBERNETES_VERSION}`, FLANNEL_IMAGE, COREDNS_IMAGE];
const BLOBS = '/var/lib/containerd/io.containerd.content.v1.content/blobs/sha256';

/** Each measured step prints `time <image index> <step> <start s> <end s> [bytes]`, on the guest's clock. */
const CHECK = String.raw`
systemctl stop kubelet
t() { date +%s.%N; }
say "clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
H=/etc/containerd/certs.d
i=0
for image in ${IMAGES.join(' ')}; do
  a=$(t); ctr -n bench content fetch --hosts-dir $H $image >/dev/null 2>&1 || say "failed fetch $image"; b=$(t)
  ctr -n bench images pull --hosts-dir $H $image >/dev/null 2>&1 || say "failed unpack $image"; c=$(t)
  say "time $i fetch $a $b $(du -sb ${BLOBS} | cut -f1)"
  say "time $i unpack $b $c"
  a=$(t); sha256sum ${BLOBS}/* >/dev/null; b=$(t); say "time $i sha256sum $a $b"
  big=$(ls -S ${BLOBS}/* | head -1)
  a=$(t); gzip -dc $big >/dev/null; b=$(t); say "time $i gunzip $a $b $(stat -c %s $big)"
  ctr -n bench images rm --sync $image >/dev/null 2>&1
  ctr -n bench content ls -q | xargs -r ctr -n bench content rm >/dev/null 2>&1
  i=$((i+1))
done
a=$(t); dd if=/dev/zero of=/var/tmp/bench bs=1M count=64 conv=fsync 2>/dev/null; b=$(t); rm -f /var/tmp/bench
say "time - write64MiB $a $b"
`;

const image = await ensureNodeImage();
say(`node image ${image.version} from the ${image.source}`);
const cluster = await startLabNodeCluster(image, CONTROLLER, [WORKER], 'lab-pull-bench');
const rows: { image: string; step: string; seconds: number; bytes?: number }[] = [];
try {
  const boot = await cluster.lab.boot(WORKER.mac, {
    timeoutMs: 25 * 60_000,
    checkScript: CHECK,
    cpus: 1,
    memoryMiB: 2048,
  });
  const failures = boot.check.filter((line) => line.startsWith('failed '));
  if (failures.length > 0) throw new Error(`the machine's pulls failed: ${failures.join('; ')}`);
  for (const line of boot.check) {
    const match = /^time (\S+) (\S+) ([\d.]+) ([\d.]+)(?: (\d+))?$/.exec(line);
    if (match === null) continue;
    const [, index, step, from, to, bytes] = match;
    rows.push({
      image: index === '-' ? '-' : (IMAGES[Number(index)] ?? index ?? ''),
      step: step ?? '',
      seconds: Number(to) - Number(from),
      ...(bytes === undefined ? {} : { bytes: Number(bytes) }),
    });
  }
  say(boot.check.find((line) => line.startsWith('clocksource')) ?? 'clocksource not reported');
} finally {
  await cluster.close();
}
const machine = `${cpus().length} vCPU ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadavg()
  .map((load) => load.toFixed(1))
  .join(' ')} at the end`;
say(`\n${machine}; one machine of 1 vCPU and 2 GiB, the kubelet stopped:`);
say('| Image | Step | Seconds | Bytes |\n| --- | --- | --- | --- |');
for (const row of rows) say(`| ${row.image} | ${row.step} | ${row.seconds.toFixed(2)} | ${row.bytes ?? ''} |`);
if (values.out !== undefined) await writeFile(values.out, `${JSON.stringify({ machine, rows }, null, 2)}\n`);
