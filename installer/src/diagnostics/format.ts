// The diagnosis as plain text, for the engine's human output: one line per
// check, the next step, then the logs' last lines.
import type { CheckStatus, Diagnosis } from './diagnosis.ts';

const MARKS: Readonly<Record<CheckStatus, string>> = { ok: 'ok     ', failed: 'FAILED ', skipped: 'skipped' };

export function formatDiagnosis(diagnosis: Diagnosis): string {
  const width = Math.max(...diagnosis.checks.map((check) => check.name.length), 0);
  const lines = [
    'Diagnosis:',
    ...diagnosis.checks.map((check) => `  ${MARKS[check.status]} ${check.name.padEnd(width)}  ${check.detail}`),
    `Next step: ${diagnosis.nextStep}`,
  ];
  if (diagnosis.logTail.length > 0) {
    lines.push('Last log lines:', ...diagnosis.logTail.map((line) => `  ${line}`));
  }
  return lines.join('\n') + '\n';
}
