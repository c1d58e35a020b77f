// When is an installed controller complete? When every file its components
// read exists: the files its static pods' flags and etcd's environment name,
// and the kubelet's bootstrap kubeconfig. A controller whose secrets were
// withheld lacks some of them until the installer delivers them over SSH;
// which ones is whatever the boot server did not serve, never a list kept here.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readEnvironmentFile, staticPodCommand } from '../control-plane/rendered-node.ts';

const MANIFESTS = '/etc/kubernetes/manifests';
const ETCD_ENV = '/etc/etcd/etcd.env';
const UNITS = '/etc/systemd/system';
/** Flags whose value is a file the component reads at start (not a directory it creates). */
const FILE_FLAG = /^--[\w-]*(?:file|kubeconfig|config)=(\/.*)$/;
const BOOTSTRAP_FLAG = /--bootstrap-kubeconfig=(\/\S+)/g;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function namesIn(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
}

/** Every file under `root` the machine's components read, as absolute paths on the machine. */
export async function componentFiles(root: string): Promise<string[]> {
  const onMachine = (path: string) => `/${relative(root, path)}`;
  const files = new Set<string>();
  for (const name of (await namesIn(join(root, MANIFESTS))).filter((entry) => entry.endsWith('.yaml'))) {
    const { args } = await staticPodCommand(join(root, MANIFESTS, name), root);
    for (const arg of args) {
      const path = FILE_FLAG.exec(arg)?.[1];
      if (path !== undefined) files.add(onMachine(path));
    }
  }
  if (await exists(join(root, ETCD_ENV))) {
    const env = await readEnvironmentFile(join(root, ETCD_ENV), root);
    for (const [key, value] of Object.entries(env)) if (key.endsWith('_FILE')) files.add(onMachine(value));
  }
  for (const name of await namesIn(join(root, UNITS))) {
    if (!name.endsWith('.service')) continue;
    const unit = await readFile(join(root, UNITS, name), 'utf8');
    for (const match of unit.matchAll(BOOTSTRAP_FLAG)) if (match[1] !== undefined) files.add(match[1]);
  }
  return [...files].sort();
}

/** The component files not (yet) on the machine. */
export async function missingComponentFiles(root: string): Promise<string[]> {
  const files = await componentFiles(root);
  const present = await Promise.all(files.map((file) => exists(join(root, file))));
  return files.filter((_file, index) => !present[index]);
}
