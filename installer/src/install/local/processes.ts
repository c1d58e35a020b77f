// Which processes of this machine belong to a cluster directory: the ones
// whose working directory is inside it or whose command line names it. Resume
// uses it to find what a killed install left running; tests to prove nothing is.
import { readFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { sep } from 'node:path';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly cwd: string;
  readonly argv: readonly string[];
}

async function describe(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const [cwd, cmdline, stat] = await Promise.all([
      readlink(`/proc/${pid}/cwd`),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
    ]);
    // The parent pid is the field after the state, which follows the parenthesised command name.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { pid, ppid, cwd, argv: cmdline.split('\0').filter((word) => word !== '') };
  } catch (error) {
    // Gone between the listing and the read, or not ours to inspect.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES') return undefined;
    throw error;
  }
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(`${dir}${sep}`);

/** Every live process (this one excepted) whose cwd is inside `dir` or whose arguments name a path inside it. */
export async function processesOf(dir: string): Promise<ProcessInfo[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: ProcessInfo[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const info = await describe(pid);
    if (info === undefined) continue;
    // A zombie has no cwd to read and an empty command line: it is already dead.
    if (info.argv.length === 0) continue;
    if (inside(info.cwd, dir) || info.argv.some((word) => inside(word, dir))) found.push(info);
  }
  return found;
}

/** Whether `pid` is alive: signal 0 reaches it and it is not a zombie waiting for a parent that never reaps it. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    // The state is the field after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
