export interface BackOffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A container that ran this long before exiting starts over at `initialMs`. */
  readonly resetAfterMs: number;
}

/** The kubelet's crash-loop back-off: 10 s, doubling up to 5 min, forgotten after 10 min of running. */
export const KUBELET_BACK_OFF: BackOffPolicy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

export class RestartBackOff {
  private readonly policy: BackOffPolicy;
  private current: number | undefined;

  constructor(policy: BackOffPolicy = KUBELET_BACK_OFF) {
    this.policy = policy;
  }

  /** How long to wait before restarting a container that ran for `ranForMs`. */
  next(ranForMs: number): number {
    if (ranForMs >= this.policy.resetAfterMs) this.current = undefined;
    const delay = this.current ?? this.policy.initialMs;
    this.current = Math.min(delay * 2, this.policy.maxMs);
    return Math.min(delay, this.policy.maxMs);
  }
}
