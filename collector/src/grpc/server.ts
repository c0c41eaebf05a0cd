import { Server, ServerCredentials } from '@grpc/grpc-js';
import { TelemetryServiceService, type TelemetryServiceServer } from '@renderwatch/proto';

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

/** Binds the telemetry service; resolves with the bound port (port 0 picks a free one). */
export async function startGrpcServer(impl: TelemetryServiceServer, o: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': o.maxMessageBytes,
    'grpc.max_concurrent_streams': 1000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  server.addService(TelemetryServiceService, impl);
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
