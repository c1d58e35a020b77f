import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InitrdBuildError } from './errors.ts';
import { loadOrder, moduleName, parseModulesBuiltin, parseModulesDep } from './kernel-modules.ts';

// The lines of Debian 12's 6.1 modules.dep that concern the virtio NIC, in the file's own order.
const VIRTIO_DEP = `kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/net/core/failover.ko:
`;

function names(order: readonly { name: string }[]): string[] {
  return order.map((entry) => entry.name);
}

function assertBefore(order: readonly string[], first: string, second: string): void {
  assert.ok(
    order.indexOf(first) !== -1 && order.indexOf(first) < order.indexOf(second),
    `${first} must load before ${second}: ${order.join(', ')}`,
  );
}

describe('kernel module load order', () => {
  it('names modules as depmod does, whatever the compression', () => {
    assert.equal(moduleName('kernel/drivers/net/virtio_net.ko'), 'virtio_net');
    assert.equal(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko.xz'), 'virtio_rng');
    assert.equal(moduleName('kernel/net/core/failover.ko.zst'), 'failover');
  });

  it('loads every dependency of the virtio NIC before what needs it, each once', () => {
    const order = names(loadOrder(parseModulesDep(VIRTIO_DEP), ['virtio_pci', 'virtio_net']));
    assert.deepEqual([...order].sort(), [
      'failover',
      'net_failover',
      'virtio',
      'virtio_net',
      'virtio_pci',
      'virtio_pci_legacy_dev',
      'virtio_pci_modern_dev',
      'virtio_ring',
    ]);
    assertBefore(order, 'virtio_ring', 'virtio');
    assertBefore(order, 'virtio', 'virtio_pci');
    assertBefore(order, 'virtio_pci_modern_dev', 'virtio_pci');
    assertBefore(order, 'failover', 'net_failover');
    assertBefore(order, 'net_failover', 'virtio_net');
    assert.equal(order.at(-1), 'virtio_net');
  });

  it('keeps the module paths of modules.dep', () => {
    const [first] = loadOrder(parseModulesDep(VIRTIO_DEP), ['virtio_ring']);
    assert.equal(first?.path, 'kernel/drivers/virtio/virtio_ring.ko');
  });

  it('follows dependencies that modules.dep lists only on their own lines', () => {
    // Not every modules.dep repeats the transitive closure on each line.
    const dep = 'c.ko: b.ko\nb.ko: a.ko\na.ko:\n';
    assert.deepEqual(names(loadOrder(parseModulesDep(dep), ['c'])), ['a', 'b', 'c']);
  });

  it('leaves out modules built into the kernel', () => {
    const builtin = parseModulesBuiltin('kernel/drivers/virtio/virtio.ko\nkernel/drivers/virtio/virtio_ring.ko\n');
    const order = names(loadOrder(parseModulesDep(VIRTIO_DEP), ['virtio_net'], builtin));
    assert.deepEqual(order, ['failover', 'net_failover', 'virtio_net']);
  });

  it('names the missing module and what needed it', () => {
    const dep = 'kernel/drivers/net/virtio_net.ko: kernel/drivers/virtio/virtio.ko\n';
    assert.throws(
      () => loadOrder(parseModulesDep(dep), ['virtio_net']),
      (error: unknown) => {
        assert.ok(error instanceof InitrdBuildError);
        assert.match(error.message, /virtio is not in modules\.dep \(needed by virtio_net\)/);
        return true;
      },
    );
  });

  it('refuses a dependency cycle instead of looping', () => {
    assert.throws(() => loadOrder(parseModulesDep('a.ko: b.ko\nb.ko: a.ko\n'), ['a']), /cycle through a/);
  });

  it('rejects a malformed modules.dep line with its number', () => {
    assert.throws(() => parseModulesDep('a.ko:\nthis is not a dep line\n'), /line 2/);
  });
});
