// One run of a probe's handler (exec, httpGet, tcpSocket, grpc), judged as the
// kubelet judges it. The timing and thresholds are probes.ts's job.
import { spawn } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as http2Connect, constants as http2Constants, type IncomingHttpHeaders } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import type { IntOrString, V1ContainerPort, V1Probe } from '@kubernetes/client-node';
import type { CommandLine } from './container-command.ts';

export interface CheckResult {
  readonly success: boolean;
  /** Why it failed, or the output of a successful exec. */
  readonly message: string;
}

/** Where a probe runs: what it needs to know of the pod and the container. */
export interface ProbeTarget {
  readonly podIP: string;
  readonly ports: readonly V1ContainerPort[];
  /** Turns an exec probe's command into a local program (see container-command.ts). */
  readonly execCommand: (argv: readonly string[]) => CommandLine;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** The kubelet's User-Agent, which some servers answer differently. */
const USER_AGENT = 'kube-probe/1.36';
const MAX_OUTPUT = 10 * 1024;

const failure = (message: string): CheckResult => ({ success: false, message });
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function resolvePort(port: IntOrString, ports: readonly V1ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  const named = ports.find((candidate) => candidate.name === port);
  if (named !== undefined) return named.containerPort;
  return /^\d+$/.test(port) ? Number(port) : undefined;
}

function execCheck(argv: readonly string[], target: ProbeTarget, timeoutMs: number): Promise<CheckResult> {
  let line: CommandLine;
  try {
    line = target.execCommand(argv);
  } catch (error) {
    return Promise.resolve(failure(errorText(error)));
  }
  return new Promise((resolve) => {
    // Its own process group, so that a timeout kills whatever the command started.
    const child = spawn(line.command, line.args, {
      cwd: target.cwd,
      env: target.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < MAX_OUTPUT) output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(failure(`cannot run ${line.command}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = output.trim();
      if (timedOut) resolve(failure(`command timed out after ${timeoutMs} ms`));
      else if (code === 0) resolve({ success: true, message: text });
      else resolve(failure(`command exited with ${code ?? 'a signal'}${text === '' ? '' : `: ${text}`}`));
    });
  });
}

function httpCheck(
  probe: NonNullable<V1Probe['httpGet']>,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<CheckResult> {
  const port = resolvePort(probe.port, target.ports);
  if (port === undefined) return Promise.resolve(failure(`port ${String(probe.port)} is not a port of the container`));
  const scheme = (probe.scheme ?? 'HTTP').toLowerCase();
  const host = probe.host !== undefined && probe.host !== '' ? probe.host : target.podIP;
  const path =
    probe.path === undefined || probe.path === '' ? '/' : probe.path.startsWith('/') ? probe.path : `/${probe.path}`;
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*' };
  for (const header of probe.httpHeaders ?? []) headers[header.name] = header.value;
  const url = new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`);
  return new Promise((resolve) => {
    const onResponse = (response: IncomingMessage): void => {
      const status = response.statusCode ?? 0;
      response.resume();
      response.on('end', () =>
        resolve(
          status >= 200 && status < 400
            ? { success: true, message: `HTTP ${status}` }
            : failure(`HTTP probe failed with status ${status}`),
        ),
      );
      response.on('error', (error) => resolve(failure(errorText(error))));
    };
    // The kubelet does not verify the certificate of an HTTPS probe either.
    const request =
      scheme === 'https'
        ? httpsRequest(url, { headers, rejectUnauthorized: false, agent: false }, onResponse)
        : httpRequest(url, { headers, agent: false }, onResponse);
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.on('error', (error) => resolve(failure(`GET ${url.href}: ${error.message}`)));
    request.end();
  });
}

function tcpCheck(
  probe: NonNullable<V1Probe['tcpSocket']>,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<CheckResult> {
  const port = resolvePort(probe.port, target.ports);
  if (port === undefined) return Promise.resolve(failure(`port ${String(probe.port)} is not a port of the container`));
  const host = probe.host !== undefined && probe.host !== '' ? probe.host : target.podIP;
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ success: true, message: `connected to ${host}:${port}` });
    });
    socket.once('timeout', () => socket.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    socket.once('error', (error) => resolve(failure(`dial ${host}:${port}: ${error.message}`)));
  });
}

/** grpc.health.v1.HealthCheckRequest { string service = 1; } in a gRPC frame. */
function healthRequestFrame(service: string): Buffer {
  const name = Buffer.from(service);
  const length: number[] = [];
  for (let rest = name.length; ; rest >>= 7) {
    if (rest < 0x80) {
      length.push(rest);
      break;
    }
    length.push((rest & 0x7f) | 0x80);
  }
  const message = name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, ...length]), name]);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** HealthCheckResponse { ServingStatus status = 1; }: SERVING is 1. */
function servingStatus(frame: Buffer): number {
  const message = frame.subarray(5);
  return message[0] === 0x08 ? (message[1] ?? 0) : 0;
}

function grpcCheck(probe: NonNullable<V1Probe['grpc']>, target: ProbeTarget, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const session = http2Connect(
      `http://${target.podIP.includes(':') ? `[${target.podIP}]` : target.podIP}:${probe.port}`,
    );
    const done = (result: CheckResult): void => {
      clearTimeout(timer);
      session.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(failure(`gRPC health check timed out after ${timeoutMs} ms`)), timeoutMs);
    session.on('error', (error: Error) => done(failure(`gRPC health check: ${error.message}`)));
    const stream = session.request({
      [http2Constants.HTTP2_HEADER_METHOD]: 'POST',
      [http2Constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': USER_AGENT,
    });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error: Error) => done(failure(`gRPC health check: ${error.message}`)));
    let grpcStatus: string | undefined;
    stream.on('response', (headers) => {
      const status = headers['grpc-status'];
      if (typeof status === 'string') grpcStatus = status;
    });
    stream.on('trailers', (trailers: IncomingHttpHeaders) => {
      const status = trailers['grpc-status'];
      if (typeof status === 'string') grpcStatus = status;
    });
    stream.on('end', () => {
      if (grpcStatus !== '0')
        return done(failure(`gRPC health check failed with grpc-status ${grpcStatus ?? '(none)'}`));
      const status = servingStatus(Buffer.concat(chunks));
      done(
        status === 1 ? { success: true, message: 'SERVING' } : failure(`gRPC health status is ${status}, not SERVING`),
      );
    });
    stream.end(healthRequestFrame(probe.service ?? ''));
  });
}

/** Runs the probe's handler once. A probe without a known handler fails, saying why. */
export function runCheck(probe: V1Probe, target: ProbeTarget, timeoutMs: number): Promise<CheckResult> {
  if (probe.exec !== undefined) return execCheck(probe.exec.command ?? [], target, timeoutMs);
  if (probe.httpGet !== undefined) return httpCheck(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket !== undefined) return tcpCheck(probe.tcpSocket, target, timeoutMs);
  if (probe.grpc !== undefined) return grpcCheck(probe.grpc, target, timeoutMs);
  return Promise.resolve(failure('the probe has no exec, httpGet, tcpSocket or grpc handler'));
}
