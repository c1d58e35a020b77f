import { z } from 'zod';

export const guardianSpecSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()),
  logFile: z.string().min(1),
  /** raw: the component's stdout and stderr as they come; cri: one timestamped record per line (cri-log.ts). */
  logFormat: z.enum(['raw', 'cri']).optional(),
  gracePeriodMs: z.number().int().nonnegative(),
  /** Removed only when the parent vanished; a normal stop leaves cleanup to the parent. */
  removeWhenOrphaned: z.array(z.string()),
});

export type GuardianSpec = z.infer<typeof guardianSpecSchema>;

/** The guardian's first line on stdout: the pid of the process it started. */
export const guardianHelloSchema = z.strictObject({ pid: z.number().int().positive() });
