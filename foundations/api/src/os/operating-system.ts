import type { RebootManager, UpdateEngine } from './update-engine.ts';

/** What /etc/os-release and uname say about a node, as a kubelet reports it in nodeInfo. */
export interface OsRelease {
  /** `strata`: Strata's node image (ADR 0083), which updates itself as Flatcar does (update_engine, A/B /usr). */
  readonly id: 'flatcar' | 'fedora-coreos' | 'strata';
  /** e.g. "4230.2.3" */
  readonly version: string;
  /** nodeInfo.osImage, e.g. "Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)". */
  readonly prettyName: string;
  /** nodeInfo.kernelVersion, e.g. "6.6.95-flatcar". */
  readonly kernelVersion: string;
  /** The update channel or group, e.g. "stable". */
  readonly group: string;
}

/**
 * A node's operating system as the node (the simulated kubelet) and the update
 * operator's agent see it. The local platform implements it with a simulated
 * Container Linux; a real node would implement it with os-release, D-Bus
 * update_engine and logind.
 */
export interface NodeOperatingSystem extends RebootManager {
  readonly updateEngine: UpdateEngine;
  release(): OsRelease;
  /** Changes at every boot, as /proc/sys/kernel/random/boot_id does. */
  bootId(): string;
  /** True between a completed boot and the next shutdown. */
  isUp(): boolean;
  /** Runs at the start of every reboot, awaited before the machine goes down (the kubelet's graceful shutdown). */
  onShutdown(listener: () => Promise<void>): () => void;
  /** Runs each time the machine is back up after a reboot. */
  onBoot(listener: () => Promise<void>): () => void;
}
