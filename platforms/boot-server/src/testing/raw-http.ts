// Sends bytes exactly as given (a malformed request line, a path a URL
// parser would clean) and reads the answer's status line.
import { connect } from 'node:net';

export interface RawHttpAnswer {
  /** 0 when the server closed the connection without an HTTP answer. */
  readonly status: number;
  readonly text: string;
}

export function rawHttpRequest(url: string, request: string | Buffer, timeoutMs = 5000): Promise<RawHttpAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer is fine; the answer (or none) is what counts
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve({ status: status === undefined ? 0 : Number(status), text });
    });
  });
}

/** A GET for `target` as sent on the wire, closing the connection after the answer. */
export function rawGet(target: string, headers = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: boot\r\nConnection: close\r\n${headers}\r\n`;
}
