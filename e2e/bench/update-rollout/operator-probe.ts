// Watches the operator's replicas from outside while the benchmark runs: the
// local platform runs each as a process of this machine (its container ID is
// strata://<pid>), so its peak resident memory is the kernel's (VmHWM, readProcessMemory),
// and its Prometheus metrics are on its pod IP. A replica may be replaced
// during the rollout (its node is drained too), so every process seen is
// followed, and its last scrape kept.
import { readProcessMemory } from '@strata/host';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { OPERATOR_POD_LABELS, UPDATE_OPERATOR_NAMESPACE, UPDATE_OPERATOR_PORTS } from '@strata/assets';
import { parseSamples, type Sample } from './prometheus-text.ts';

export interface OperatorProcess {
  readonly pod: string;
  readonly pid: number;
  /** The node its pod ran on. */
  readonly node: string;
  /** The highest VmHWM read, in bytes. */
  peakRssBytes: number;
  /** Whether it was seen leading (strata_update_operator_leader 1). */
  led: boolean;
  /** Its last /metrics scrape. */
  samples: readonly Sample[];
  /** The highest value scraped of each memory gauge (MEMORY_GAUGES, by name and heap space), in bytes. */
  readonly memoryPeaks: Map<string, number>;
}

/** The process metrics that split the resident memory: V8's heap by space, memory outside it (Buffers, strings handed to C++). */
const MEMORY_GAUGES = new Set([
  'strata_update_operator_process_resident_memory_bytes',
  'strata_update_operator_nodejs_heap_size_total_bytes',
  'strata_update_operator_nodejs_heap_size_used_bytes',
  'strata_update_operator_nodejs_external_memory_bytes',
  'strata_update_operator_nodejs_heap_space_size_total_bytes',
]);

function recordMemoryPeaks(peaks: Map<string, number>, samples: readonly Sample[]): void {
  for (const sample of samples) {
    if (!MEMORY_GAUGES.has(sample.name)) continue;
    const space = sample.labels['space'];
    const key = `${sample.name.replace('strata_update_operator_', '')}${space === undefined ? '' : `{${space}}`}`;
    peaks.set(key, Math.max(peaks.get(key) ?? 0, sample.value));
  }
}

const selector = Object.entries(OPERATOR_POD_LABELS)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');

export class OperatorProbe {
  readonly #core: CoreV1Api;
  readonly #processes = new Map<number, OperatorProcess>();
  #timer: NodeJS.Timeout | undefined;
  #sampling: Promise<void> = Promise.resolve();

  constructor(kubeConfig: KubeConfig) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
  }

  start(intervalMs = 2_000): void {
    this.#timer = setInterval(() => {
      this.#sampling = this.#sampling.then(() => this.sample()).catch(() => undefined);
    }, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sampling;
    await this.sample();
  }

  async sample(): Promise<void> {
    const { items } = await this.#core.listNamespacedPod({
      namespace: UPDATE_OPERATOR_NAMESPACE,
      labelSelector: selector,
    });
    await Promise.all(items.map((pod) => this.#sampleOne(pod)));
  }

  async #sampleOne(pod: V1Pod): Promise<void> {
    const match = /^strata:\/\/(\d+)$/.exec(pod.status?.containerStatuses?.[0]?.containerID ?? '');
    if (match?.[1] === undefined) return;
    const pid = Number(match[1]);
    const seen = this.#processes.get(pid) ?? {
      pod: pod.metadata?.name ?? '',
      node: pod.spec?.nodeName ?? '',
      pid,
      peakRssBytes: 0,
      led: false,
      samples: [],
      memoryPeaks: new Map<string, number>(),
    };
    this.#processes.set(pid, seen);
    seen.peakRssBytes = Math.max(seen.peakRssBytes, (await readProcessMemory(pid))?.peakBytes ?? 0);
    const ip = pod.status?.podIP;
    if (ip === undefined) return;
    const answer = await fetch(`http://${ip}:${UPDATE_OPERATOR_PORTS.metrics}/metrics`, {
      signal: AbortSignal.timeout(1_500),
    }).catch(() => undefined);
    if (answer?.status !== 200) return;
    seen.samples = parseSamples(await answer.text());
    recordMemoryPeaks(seen.memoryPeaks, seen.samples);
    if (seen.samples.some((sample) => sample.name === 'strata_update_operator_leader' && sample.value === 1))
      seen.led = true;
  }

  processes(): readonly OperatorProcess[] {
    return [...this.#processes.values()];
  }
}
