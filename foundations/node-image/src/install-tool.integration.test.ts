// The install program (ADR 0092) run for real on this host, against a loop device and an HTTP server on loopback:
// the same bash, curl, zstd, dd, blkdiscard, sfdisk and mtools as in the initramfs (both Debian bookworm). Only the
// initramfs's surroundings are swapped, each by one exact replacement that the test checks is there: dracut's getarg
// (reads a command line file), the console (a file), the state directory, and the reboot (a line printed). The disk
// booting from what it wrote is the lab's test (e2e/src/lab/node-install.lab.test.ts).
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, type CommandResult } from '@strata/host';
import { createHash } from 'node:crypto';
import { FIRSTBOOT_COMPLETE_TOOL, INSTALL_ARGS, INSTALL_TOOL, installKernelArguments } from './install-tool.ts';
import { MIB, slotAEntryFile } from './disk-layout.ts';

const ENTRY_OPTIONS = 'options root=LABEL=strata-root rw mount.usr=PARTLABEL=USR-A panic=10 console=ttyS0';
const IGNITION_URL = 'http://10.213.0.1:8080/ignition?mac=52-54-00-1a-00-01&os=installed';

async function must(command: string, args: readonly string[], input?: string): Promise<CommandResult> {
  const result = await runCommand(command, args, input === undefined ? {} : { input });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result;
}

/** Replaces `from` (which must occur exactly once) with `to`: a change of the program's shape fails the test. */
function swapOnce(text: string, from: string, to: string): string {
  const count = text.split(from).length - 1;
  assert.equal(count, 1, `the install program holds ${JSON.stringify(from)} ${count} times, not once`);
  return text.replace(from, to);
}

describe('strata-install on a loop device (as root)', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let device: string;
  let imageSha: string;
  const data = createHash('sha256').update('strata').digest(); // 32 bytes, repeated into the data partition

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'this test attaches a loop device: run it as root (sudo)');
    dir = await mkdtemp(join(tmpdir(), 'strata-install-test-'));
    // A small disk of the image's shape: the first MiB (MBR, GPT), an ESP with slot A's entry, a data partition.
    const disk = join(dir, 'disk.img');
    await must('truncate', ['-s', '12M', disk]);
    await must(
      'sfdisk',
      ['-q', disk],
      'label: gpt\nstart=2048, size=16384, type=U, name=ESP\nstart=18432, size=4096, name=ROOT\n',
    );
    const esp = join(dir, 'esp.img');
    await must('mkfs.vfat', ['-C', esp, '8192']);
    await must('mmd', ['-i', esp, '::/loader', '::/loader/entries']);
    await writeFile(join(dir, 'entry'), `title Strata node image\nversion 0.8.0\n${ENTRY_OPTIONS}\n`);
    await must('mcopy', ['-i', esp, join(dir, 'entry'), `::${slotAEntryFile()}`]);
    await must('dd', [`if=${esp}`, `of=${disk}`, 'bs=1M', 'seek=1', 'conv=notrunc', 'status=none']);
    await writeFile(join(dir, 'data'), Buffer.concat(Array.from({ length: MIB / data.length }, () => data)));
    await must('dd', [`if=${join(dir, 'data')}`, `of=${disk}`, 'bs=1M', 'seek=9', 'conv=notrunc', 'status=none']);
    await must('zstd', ['-q', '-3', disk, '-o', `${disk}.zst`]);
    imageSha = createHash('sha256')
      .update(await readFile(`${disk}.zst`))
      .digest('hex');
    // The target: larger than the image, full of another install's bytes.
    const target = join(dir, 'target.img');
    await must('dd', ['if=/dev/urandom', `of=${target}`, 'bs=1M', 'count=32', 'status=none']);
    device = (await must('losetup', ['--find', '--show', target])).stdout.trim();
    server = createServer((request, response) => {
      const name = (request.url ?? '').slice(1);
      if (name !== 'disk.img.zst') {
        response.writeHead(404).end('no such image\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/zstd' });
      createReadStream(`${disk}.zst`).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
  });

  after(async () => {
    if (device !== undefined) await runCommand('losetup', ['-d', device]);
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Runs the program once with this command line, in a fresh state directory unless `keepState`. */
  async function install(args: readonly string[], keepState = false) {
    const state = join(dir, 'state');
    if (!keepState) await rm(state, { recursive: true, force: true });
    const console = join(dir, 'console');
    await rm(console, { force: true });
    await writeFile(join(dir, 'cmdline'), `${args.join(' ')}\n`);
    await writeFile(
      join(dir, 'dracut-lib.sh'),
      // dracut's getarg: the value of the first `name=value` on the command line.
      `getarg() { for a in $(cat ${join(dir, 'cmdline')}); do case $a in "$1"*) echo "\${a#"$1"}"; return 0;; esac; done; return 1; }\n`,
    );
    let program = swapOnce(INSTALL_TOOL, '. /lib/dracut-lib.sh', `. ${join(dir, 'dracut-lib.sh')}`);
    program = swapOnce(program, '>>/dev/console', `>>${console}`);
    program = swapOnce(program, 'STATE=/run/strata-install', `STATE=${state}`);
    program = swapOnce(program, 'systemctl --no-block reboot', 'echo REBOOT');
    await writeFile(join(dir, 'strata-install'), program);
    const run = await runCommand('bash', [join(dir, 'strata-install')]);
    return { code: run.code, console: await readFile(console, 'utf8').catch(() => '') };
  }

  const table = async () => runCommand('sfdisk', ['--json', device]);

  it('writes the image over an earlier disk, sets up the first boot and asks for a reboot', async () => {
    const result = await install(
      installKernelArguments({
        device,
        imageUrl: `${base}/disk.img.zst`,
        imageSha256: imageSha,
        ignitionUrl: IGNITION_URL,
      }),
    );
    assert.equal(result.code, 0, result.console);
    assert.match(result.console, /strata-install: installed in \d+ s; rebooting into the installed system\nREBOOT\n$/);
    const parsed: unknown = JSON.parse((await table()).stdout);
    assert.ok(typeof parsed === 'object' && parsed !== null && 'partitiontable' in parsed);
    const partitionTable = (parsed as { partitiontable: { lastlba: number; partitions: { name: string }[] } })
      .partitiontable;
    assert.deepEqual(
      partitionTable.partitions.map((partition) => partition.name),
      ['ESP', 'ROOT'],
    );
    // The backup GPT moved to the 32 MiB disk's end (the image's own ended at 12 MiB).
    assert.equal(partitionTable.lastlba, (32 * MIB) / 512 - 34);
    const entry = await must('mtype', ['-i', `${device}@@${MIB}`, `::${slotAEntryFile()}`]);
    assert.equal(
      entry.stdout,
      `title Strata node image\nversion 0.8.0\n${ENTRY_OPTIONS} ignition.firstboot ignition.platform.id=metal rd.neednet=1 ip=dhcp ignition.config.url=${IGNITION_URL}\n`,
    );
    // Read back through sha256sum: the output of a command comes back as text.
    const written = await must('sh', ['-c', `dd if=${device} bs=1M skip=9 count=1 status=none | sha256sum`]);
    assert.equal(
      written.stdout.split(' ')[0],
      createHash('sha256')
        .update(await readFile(join(dir, 'data')))
        .digest('hex'),
    );
    // Where the image has zeros (the ROOT partition's second MiB), the earlier disk's bytes are gone.
    const zeros = await must('sh', ['-c', `dd if=${device} bs=1M skip=10 count=1 status=none | tr -d '\\000' | wc -c`]);
    assert.equal(zeros.stdout.trim(), '0');
    // Done is done: the queue runs the job again until the machine reboots, and it does nothing more.
    const again = await install(
      [
        `${INSTALL_ARGS.device}=${device}`,
        `${INSTALL_ARGS.imageUrl}=${base}/disk.img.zst`,
        `${INSTALL_ARGS.imageSha256}=${imageSha}`,
      ],
      true,
    );
    assert.deepEqual(again, { code: 0, console: '' });
  });

  it('leaves no partition table when the digest does not match, and tries again after a back-off', async () => {
    const wrong = `${imageSha.startsWith('0') ? '1' : '0'}${imageSha.slice(1)}`;
    const result = await install(
      installKernelArguments({ device, imageUrl: `${base}/disk.img.zst`, imageSha256: wrong }),
    );
    assert.equal(result.code, 1);
    assert.match(
      result.console,
      new RegExp(`has SHA-256 ${imageSha}, not the ${wrong} the boot asked for; nothing was installed`),
    );
    assert.match(result.console, /trying again in 5 s/);
    const after = await table();
    assert.notEqual(after.code, 0, 'a partition table is on the disk');
    assert.match(after.stderr, /does not contain a recognized partition table/);
  });

  it("quotes the server's answer when the image is not there", async () => {
    const result = await install(
      installKernelArguments({ device, imageUrl: `${base}/missing.zst`, imageSha256: imageSha }),
    );
    assert.equal(result.code, 1);
    assert.match(result.console, /curl: \(22\) The requested URL returned error: 404/);
    assert.notEqual((await table()).code, 0);
  });

  it('refuses a command line it cannot use, naming the argument, and stays refused', async () => {
    const cases: [string[], RegExp][] = [
      [
        [`${INSTALL_ARGS.imageUrl}=${base}/disk.img.zst`, `${INSTALL_ARGS.imageSha256}=${imageSha}`],
        /no strata\.install\.device= on the kernel command line/,
      ],
      [
        [
          `${INSTALL_ARGS.device}=/dev/nonexistent`,
          `${INSTALL_ARGS.imageUrl}=${base}/disk.img.zst`,
          `${INSTALL_ARGS.imageSha256}=${imageSha}`,
        ],
        /strata\.install\.device=\/dev\/nonexistent is not a block device/,
      ],
      [
        [
          `${INSTALL_ARGS.device}=${device}`,
          `${INSTALL_ARGS.imageUrl}=ftp://x/disk.img.zst`,
          `${INSTALL_ARGS.imageSha256}=${imageSha}`,
        ],
        /strata\.install\.image_url=ftp:\/\/x\/disk\.img\.zst is not an http\(s\) URL/,
      ],
      [
        [
          `${INSTALL_ARGS.device}=${device}`,
          `${INSTALL_ARGS.imageUrl}=${base}/disk.img.zst`,
          `${INSTALL_ARGS.imageSha256}=${imageSha.toUpperCase()}`,
        ],
        /strata\.install\.image_sha256= must be the image's SHA-256, 64 lower-case hex digits/,
      ],
      [
        [
          `${INSTALL_ARGS.device}=${device}`,
          `${INSTALL_ARGS.imageUrl}=${base}/disk.img.zst`,
          `${INSTALL_ARGS.imageSha256}=${imageSha}`,
          `${INSTALL_ARGS.ignitionUrl}=file:///x`,
        ],
        /strata\.install\.ignition_url=file:\/\/\/x is not an http\(s\) URL/,
      ],
    ];
    for (const [args, refusal] of cases) {
      const first = await install(args);
      assert.equal(first.code, 0, first.console);
      assert.match(first.console, refusal);
      assert.doesNotMatch(first.console, /installing/);
      const again = await install(args, true);
      assert.deepEqual(again, { code: 0, console: '' });
    }
  });
});

describe('strata-firstboot-complete', () => {
  it('takes the first-boot arguments off the entry that has them, and leaves the others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-firstboot-test-'));
    try {
      const entries = join(dir, 'loader/entries');
      await must('mkdir', ['-p', entries]);
      const installed = `title Strata node image\nversion 0.8.0\n${ENTRY_OPTIONS} ignition.firstboot ignition.platform.id=metal rd.neednet=1 ip=dhcp ignition.config.url=${IGNITION_URL}\n`;
      // Booted once: systemd-boot's counter renamed it.
      await writeFile(join(entries, 'strata-a+2-1.conf'), installed);
      const other = `title Strata node image\nversion 0.7.0\n${ENTRY_OPTIONS.replace('USR-A', 'USR-B')}\n`;
      await writeFile(join(entries, 'strata-b.conf'), other);
      const program = swapOnce(FIRSTBOOT_COMPLETE_TOOL, '/efi/loader/entries', `${entries}`);
      await writeFile(join(dir, 'tool'), program);
      const run = await must('sh', [join(dir, 'tool')]);
      assert.equal(
        run.stdout,
        `strata-firstboot-complete: took the first-boot arguments off ${join(entries, 'strata-a+2-1.conf')}\n`,
      );
      assert.equal(
        await readFile(join(entries, 'strata-a+2-1.conf'), 'utf8'),
        `title Strata node image\nversion 0.8.0\n${ENTRY_OPTIONS}\n`,
      );
      assert.equal(await readFile(join(entries, 'strata-b.conf'), 'utf8'), other);
      assert.equal((await must('sh', [join(dir, 'tool')])).stdout, '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
