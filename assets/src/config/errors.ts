import { StrataError } from '@strata/api';
import { formatIssues, type ConfigIssue } from './issue.ts';

/** A cluster config that cannot be used, with every problem found in it. */
export class ClusterConfigError extends StrataError {
  readonly issues: readonly ConfigIssue[];
  readonly sourceName: string;

  constructor(issues: readonly ConfigIssue[], sourceName: string, options?: ErrorOptions) {
    super(formatIssues(issues, sourceName), { source: sourceName, issues }, options);
    this.issues = issues;
    this.sourceName = sourceName;
  }
}
