// A gRPC client of matchbox's services for tests: one unary call by service and method name, through the same
// .proto files the server loads, with a client certificate (or none, to prove the refusal).
import * as grpc from '@grpc/grpc-js';
import type { WriteApiCredentials } from '../api/testing/pki.ts';
import { loadMatchboxProtos, matchboxService } from './grpc-api.ts';

export interface MatchboxTestClient {
  call(service: string, method: string, request: object): Promise<unknown>;
  close(): void;
}

export function matchboxTestClient(
  endpoint: string,
  credentials: WriteApiCredentials,
  options: { readonly withClientCertificate?: boolean } = {},
): MatchboxTestClient {
  const definition = loadMatchboxProtos();
  const channel =
    options.withClientCertificate === false
      ? grpc.credentials.createSsl(Buffer.from(credentials.caPem))
      : grpc.credentials.createSsl(
          Buffer.from(credentials.caPem),
          Buffer.from(credentials.client.privateKeyPem),
          Buffer.from(credentials.client.certificatePem),
        );
  const client = new grpc.Client(endpoint, channel);
  return {
    call: (service, method, request) => {
      const found = matchboxService(definition, service)[method];
      if (found === undefined) throw new RangeError(`rpcpb.${service} has no method ${method}`);
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          found.path,
          found.requestSerialize,
          found.responseDeserialize,
          request,
          { deadline: Date.now() + 10_000 },
          (error, response) => (error ? reject(error) : resolve(response)),
        );
      });
    },
    close: () => client.close(),
  };
}
