import { spawn } from 'node:child_process';
import { StrataError } from '@strata/api';

/** A command fed through pipeThrough could not run or failed. `context`: command, code, stderr. */
export class PipeThroughError extends StrataError {}

/** Runs `command` with `input` as its stdin and resolves with its stdout, as bytes (archives are not text). */
export function pipeThrough(command: string, args: readonly string[], input: Buffer, cwd?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new PipeThroughError(`cannot run ${command}`, { command }, { cause: error })));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new PipeThroughError(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`, {
            command,
            code,
            stderr,
          }),
        );
    });
    child.stdin.end(input);
  });
}
