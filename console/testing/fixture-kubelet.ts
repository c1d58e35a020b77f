// The kubelet's side of `pods/log` for the console's browser tests, which run against the harness's kube-apiserver
// with no kubelet: an HTTPS server serving /containerLogs as the kubelet API does (tailLines, timestamps, follow),
// from lines the test writes. kube-apiserver proxies the log requests to it as to any kubelet (the node's InternalIP
// and daemonEndpoints port; the harness sets no --kubelet-certificate-authority, so its serving certificate is not
// checked). It counts the follow requests it holds open, so that a test can see the console's upstream request end.
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PemPair } from '@strata/assets';

interface Line {
  readonly time: string;
  readonly text: string;
}

export interface FixtureKubelet {
  readonly port: number;
  /** Appends a line to a container's log, and sends it to every request following it. A container with no line
   * written has not started, and its log request gets the kubelet's 400 for that. */
  write(namespace: string, pod: string, container: string, text: string): void;
  /** The follow requests open now. */
  followers(): number;
  /** Resolves once exactly `count` follow requests are open (watching each open and close, no polling); 15 s at most. */
  followersReach(count: number): Promise<void>;
  close(): Promise<void>;
}

const answer = (response: ServerResponse, status: number, message: string) => {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(`${message}\n`);
};

export async function startFixtureKubelet(tls: PemPair): Promise<FixtureKubelet> {
  const logs = new Map<string, Line[]>();
  const following = new Map<string, Set<{ response: ServerResponse; timestamps: boolean }>>();
  let open = 0;
  const changes = new Set<() => void>();
  const changed = () => {
    for (const listener of changes) listener();
  };
  const format = (line: Line, timestamps: boolean) => `${timestamps ? `${line.time} ` : ''}${line.text}\n`;

  const server: Server = createServer({ cert: tls.certificatePem, key: tls.privateKeyPem }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://kubelet');
    const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (request.method !== 'GET' || match === null) return answer(response, 404, '404 page not found');
    const key = match.slice(1, 4).join('/');
    const lines = logs.get(key);
    // A container nothing was written for has not started: the kubelet's own answer for one still being created.
    if (lines === undefined)
      return answer(
        response,
        400,
        `container "${match[3] ?? ''}" in pod "${match[2] ?? ''}" is waiting to start: ContainerCreating`,
      );
    const tail = url.searchParams.get('tailLines');
    const timestamps = url.searchParams.get('timestamps') === 'true';
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    for (const line of tail === null ? lines : lines.slice(-Number(tail))) response.write(format(line, timestamps));
    if (url.searchParams.get('follow') !== 'true') {
      response.end();
      return;
    }
    const follower = { response, timestamps };
    const set = following.get(key) ?? new Set();
    set.add(follower);
    following.set(key, set);
    open += 1;
    changed();
    response.on('close', () => {
      set.delete(follower);
      open -= 1;
      changed();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    write(namespace, pod, container, text) {
      const key = `${namespace}/${pod}/${container}`;
      const line = { time: new Date().toISOString(), text };
      logs.set(key, [...(logs.get(key) ?? []), line]);
      for (const follower of following.get(key) ?? []) follower.response.write(format(line, follower.timestamps));
    },
    followers: () => open,
    followersReach: (count) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          changes.delete(check);
          reject(new Error(`the kubelet holds ${open} follow requests open after 15 s, not ${count}`));
        }, 15_000);
        const check = () => {
          if (open !== count) return;
          changes.delete(check);
          clearTimeout(timer);
          resolve();
        };
        changes.add(check);
        check();
      }),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
