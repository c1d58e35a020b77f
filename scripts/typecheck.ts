// `npm run typecheck`, also the typecheck phase of `npm test`: tsc over the root project (everything Node runs) and
// over console/, whose Next.js code has its own tsconfig (the DOM, JSX left to Next's compiler; docs/adr/0011-tsx.md).
// tsc refuses a project without a single input (TS18003), so the console is checked from its first source file on.
import { spawn } from 'node:child_process';
import { glob } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', '.bin', 'tsc');

function typecheck(project: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsc, ['-p', project], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0));
  });
}

async function hasSources(directory: string): Promise<boolean> {
  const sources = glob(['**/*.ts', '**/*.tsx'], {
    cwd: join(root, directory),
    exclude: (name) => name === 'node_modules' || name === '.next',
  });
  for await (const _source of sources) return true;
  return false;
}

let ok = await typecheck('tsconfig.json');
if (await hasSources('console')) {
  ok = (await typecheck('console/tsconfig.json')) && ok;
} else {
  process.stdout.write('console/ has no TypeScript sources yet: not typechecked (tsc refuses an empty project).\n');
}
process.exitCode = ok ? 0 : 1;
