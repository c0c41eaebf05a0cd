import { readFileSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ExportRequest, TelemetryServiceService, type TelemetryServiceServer } from '@renderwatch/proto';
import { AppError } from '../errors.js';

export interface GrpcServerOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  credentials?: ServerCredentials;
}

export interface RunningGrpcServer {
  readonly port: number;
  stop(graceMs?: number): Promise<void>;
}

/** Set on a request whose bytes were not a valid ExportRequest; the handler answers INVALID_ARGUMENT. */
export const MALFORMED = Symbol('renderwatch.malformed');

/** Decodes an ExportRequest without throwing (grpc-js would answer INTERNAL for a throw). */
export function decodeExportRequest(buf: Buffer): ExportRequest {
  try {
    return ExportRequest.decode(buf);
  } catch (err: unknown) {
    const req = ExportRequest.fromPartial({});
    Object.defineProperty(req, MALFORMED, { value: err instanceof Error ? err.message : String(err), enumerable: false });
    return req;
  }
}

/** The decode error of a malformed request, if it was one. */
export function malformedReason(req: ExportRequest): string | undefined {
  const v: unknown = Object.getOwnPropertyDescriptor(req, MALFORMED)?.value;
  return typeof v === 'string' ? v : undefined;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** When set, clients must present a certificate signed by this CA (mTLS). */
  clientCaFile?: string;
}

function read(f: string, key: string): Buffer {
  try {
    return readFileSync(f);
  } catch (err: unknown) {
    throw new AppError('COL_ERR_CONFIG_INVALID', `${key} ${f} cannot be read`, { cause: err });
  }
}

/** TLS server credentials from PEM files; COL_ERR_CONFIG_INVALID names the file that failed. */
export function serverCredentialsFromFiles(t: TlsFiles): ServerCredentials {
  const cert = read(t.certFile, 'COLLECTOR_TLS_CERT_FILE');
  const key = read(t.keyFile, 'COLLECTOR_TLS_KEY_FILE');
  const ca = t.clientCaFile === undefined ? null : read(t.clientCaFile, 'COLLECTOR_TLS_CLIENT_CA_FILE');
  return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
}

/** Binds the telemetry service; resolves with the bound port (port 0 picks a free one). */
export async function startGrpcServer(impl: TelemetryServiceServer, o: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': o.maxMessageBytes,
    'grpc.max_concurrent_streams': 1000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  const definition = { ...TelemetryServiceService, export: { ...TelemetryServiceService.export, requestDeserialize: decodeExportRequest } };
  server.addService(definition, impl);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${o.host}:${o.port}`, o.credentials ?? ServerCredentials.createInsecure(), (err, p) => {
      if (err) reject(err);
      else resolve(p);
    });
  });
  return {
    port,
    stop(graceMs = 5000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
