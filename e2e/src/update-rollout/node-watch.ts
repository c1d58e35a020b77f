// One watch on every Node for a whole test: the budget invariant checks each
// change it delivers, and the tests wait on it instead of polling the API
// server (a 50-node list 20 times a second would load the machine the test
// measures).
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { Informer } from '@strata/kube';

export type NodeChangeListener = (changed: V1Node, nodes: readonly V1Node[]) => void;

export class NodeWatch {
  readonly #informer: Informer<V1Node>;
  readonly #listeners = new Set<NodeChangeListener>();
  readonly #errors: unknown[] = [];
  /** Settles once the first list has succeeded or failed. */
  readonly #firstAttempt = Promise.withResolvers<void>();
  #lists = 0;

  private constructor(kubeConfig: KubeConfig) {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    this.#informer = new Informer<V1Node>({
      kubeConfig,
      path: '/api/v1/nodes',
      list: async (selectors) => {
        const list = await core.listNode(selectors);
        this.#lists += 1;
        return list;
      },
      onChange: (_change, node) => {
        const nodes = this.#informer.list();
        for (const listener of this.#listeners) listener(node, nodes);
      },
      onStateChange: (state) => {
        if (state.phase !== 'starting') this.#firstAttempt.resolve();
      },
      onError: (error) => this.#errors.push(error),
      // Restarts resume from the last resourceVersion, so a short outage is no gap.
      backoff: { baseDelayMs: 500, maxDelayMs: 500 },
    });
  }

  /** Lists the nodes and watches them; resolves once the first list is in, fails if it is not. */
  static async start(kubeConfig: KubeConfig): Promise<NodeWatch> {
    const watch = new NodeWatch(kubeConfig);
    void watch.#informer.start();
    await watch.#firstAttempt.promise;
    if (!watch.#informer.hasSynced) {
      await watch.#informer.stop();
      throw new Error(`could not list the nodes: ${String(watch.#errors[0])}`);
    }
    return watch;
  }

  list(): readonly V1Node[] {
    return this.#informer.list();
  }

  get(name: string): V1Node | undefined {
    return this.#informer.get(name);
  }

  /** Calls `listener` after every change, with the change and all nodes as they are now. */
  onChange(listener: NodeChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Errors of the watch so far: after each, changes were delivered late or (see gaps) not at all. */
  get interruptions(): number {
    return this.#errors.length;
  }

  /** Lists after the first: each is a gap in which intermediate states were not delivered. */
  get gaps(): number {
    return Math.max(0, this.#lists - 1);
  }

  /** Resolves with the first non-undefined answer of `probe`, evaluated now and after every change. */
  until<T>(
    what: string,
    probe: (nodes: readonly V1Node[]) => T | undefined,
    timeoutMs: number,
    explain?: (nodes: readonly V1Node[]) => string,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const answer = probe(this.#informer.list());
        if (answer === undefined) return false;
        finish();
        resolve(answer);
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}${explain === undefined ? '' : `; now: ${explain(this.#informer.list())}`}`,
          ),
        );
      }, timeoutMs);
      const unsubscribe = this.onChange(() => void check());
      function finish(): void {
        clearTimeout(timer);
        unsubscribe();
      }
      check();
    });
  }

  async stop(): Promise<void> {
    this.#listeners.clear();
    await this.#informer.stop();
  }
}
