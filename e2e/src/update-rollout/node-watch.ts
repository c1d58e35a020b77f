// One watch on every Node for a whole test: the budget invariant checks each
// change it delivers, and the tests wait on it instead of polling the API
// server (a 50-node list 20 times a second would load the machine the test
// measures).
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type ObjectCache, type V1Node } from '@kubernetes/client-node';

export type NodeChangeListener = (changed: V1Node, nodes: readonly V1Node[]) => void;

export class NodeWatch {
  readonly #informer: Informer<V1Node> & ObjectCache<V1Node>;
  readonly #listeners = new Set<NodeChangeListener>();
  readonly #errors: unknown[] = [];
  #lists = 0;
  #stopped = false;

  private constructor(kubeConfig: KubeConfig) {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    this.#informer = makeInformer<V1Node>(kubeConfig, '/api/v1/nodes', async () => {
      const list = await core.listNode();
      this.#lists += 1;
      return list;
    });
    for (const event of ['add', 'update', 'delete'] as const) {
      this.#informer.on(event, (node) => {
        const nodes = this.#informer.list();
        for (const listener of this.#listeners) listener(node, nodes);
      });
    }
    this.#informer.on('error', (error: unknown) => {
      // client-node's informer stops on an error; started again it resumes from its last resourceVersion.
      this.#errors.push(error);
      if (this.#stopped) return;
      setTimeout(() => {
        if (!this.#stopped) this.#informer.start().catch((failure: unknown) => this.#errors.push(failure));
      }, 500).unref();
    });
  }

  /** Lists the nodes and watches them; resolves once the first list is in. */
  static async start(kubeConfig: KubeConfig): Promise<NodeWatch> {
    const watch = new NodeWatch(kubeConfig);
    await watch.#informer.start();
    if (watch.#lists === 0) throw new Error(`could not list the nodes: ${String(watch.#errors[0])}`);
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

  /** Lists after the first: each is a gap in which intermediate states were not delivered. */
  get gaps(): number {
    return Math.max(0, this.#lists - 1);
  }

  /** Resolves with the first non-undefined answer of `probe`, evaluated now and after every change. */
  until<T>(what: string, probe: (nodes: readonly V1Node[]) => T | undefined, timeoutMs: number, explain?: (nodes: readonly V1Node[]) => string): Promise<T> {
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
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain === undefined ? '' : `; now: ${explain(this.#informer.list())}`}`));
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
    this.#stopped = true;
    this.#listeners.clear();
    await this.#informer.stop();
  }
}
