import { StrataError } from '@strata/api';

/** One problem in an Ignition config, located by a JSON path such as "storage.files[2].path". */
export interface IgnitionIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The builder refused a call. Raised at the call that caused the problem, so
 * that the stack trace points at the code that asked for it.
 */
export class IgnitionBuildError extends StrataError {}

/** A config broke the Ignition spec; `issues` lists every problem, not only the first. */
export class IgnitionValidationError extends StrataError {
  readonly issues: readonly IgnitionIssue[];

  constructor(issues: readonly IgnitionIssue[]) {
    const lines = issues.map((issue) => `  ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`);
    super(`Ignition config has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, {
      issues,
    });
    this.issues = issues;
  }
}
