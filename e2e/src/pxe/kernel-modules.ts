// Which kernel modules the guest loads, and in which order. modules.dep (as
// depmod writes it) lists, for each module, every module it needs; insmod
// (unlike modprobe) resolves nothing itself, so the order is computed here.
import { InitrdBuildError } from './errors.ts';

export interface ModuleEntry {
  readonly name: string;
  /** Relative to /lib/modules/<version>, as in modules.dep. */
  readonly path: string;
  readonly dependencies: readonly string[];
}

/** The guest's network driver and its PCI transport: what QEMU's virtio-net-pci needs. */
export const GUEST_NETWORK_MODULES = ['virtio_pci', 'virtio_net'] as const;

/** "kernel/drivers/net/virtio_net.ko.xz" -> "virtio_net" (depmod treats - and _ alike). */
export function moduleName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.replace(/\.ko(\.(gz|xz|zst))?$/, '').replaceAll('-', '_');
}

export function parseModulesDep(text: string): ReadonlyMap<string, ModuleEntry> {
  const modules = new Map<string, ModuleEntry>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new InitrdBuildError(`modules.dep line ${index + 1} has no "module:" prefix`, { line });
    const path = line.slice(0, colon).trim();
    const dependencies = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter((dep) => dep.length > 0)
      .map(moduleName);
    modules.set(moduleName(path), { name: moduleName(path), path, dependencies });
  }
  return modules;
}

/** modules.builtin: the modules compiled into the kernel image, which need no loading. */
export function parseModulesBuiltin(text: string): ReadonlySet<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
      .map(moduleName),
  );
}

/**
 * Every module `wanted` needs, each after all of its dependencies, each once.
 * Modules built into the kernel are left out.
 */
export function loadOrder(
  modules: ReadonlyMap<string, ModuleEntry>,
  wanted: readonly string[],
  builtin: ReadonlySet<string> = new Set(),
): ModuleEntry[] {
  const ordered: ModuleEntry[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (name: string, neededBy: string | undefined): void => {
    if (done.has(name) || builtin.has(name)) return;
    const entry = modules.get(name);
    if (entry === undefined) {
      throw new InitrdBuildError(
        `kernel module ${name} is not in modules.dep${neededBy ? ` (needed by ${neededBy})` : ''}`,
        {
          module: name,
          neededBy,
        },
      );
    }
    if (visiting.has(name))
      throw new InitrdBuildError(`modules.dep has a dependency cycle through ${name}`, { module: name });
    visiting.add(name);
    for (const dependency of entry.dependencies) visit(dependency, name);
    visiting.delete(name);
    done.add(name);
    ordered.push(entry);
  };
  for (const name of wanted) visit(name, undefined);
  return ordered;
}
