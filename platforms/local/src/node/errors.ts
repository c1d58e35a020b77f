import { StrataError } from '@strata/api';

/** A NodeSpec or fleet option was refused; `issues` names every offending field. */
export class NodeSpecError extends StrataError {
  readonly issues: readonly string[];

  constructor(subject: string, issues: readonly string[]) {
    super(`invalid ${subject}:\n${issues.map((issue) => `  ${issue}`).join('\n')}`, { subject, issues });
    this.issues = issues;
  }
}

/** TLS bootstrapping did not yield a client certificate: the CSR was denied, failed, or not signed in time. */
export class NodeBootstrapError extends StrataError {}

/** The node could not register, or could not start for another reason. */
export class NodeStartError extends StrataError {}

/** Some nodes of a fleet did not start or did not become Ready; `failures` names each with its error. */
export class FleetError extends StrataError {
  readonly failures: ReadonlyMap<string, unknown>;

  constructor(message: string, failures: ReadonlyMap<string, unknown>) {
    const sample = [...failures]
      .slice(0, 5)
      .map(([node, error]) => `  ${node}: ${error instanceof Error ? error.message : String(error)}`);
    const more = failures.size > sample.length ? `\n  … and ${failures.size - sample.length} more` : '';
    super(`${message}\n${sample.join('\n')}${more}`, { failed: [...failures.keys()] });
    this.failures = failures;
  }
}

/** A /containerLogs query the kubelet API refuses (answer 400 with the message); `problems` names each. */
export class ContainerLogQueryError extends StrataError {}

/** The kubelet API could not listen on the node's address and port. */
export class KubeletApiError extends StrataError {}
