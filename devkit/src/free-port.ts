import { createServer } from 'node:net';

/** Asks the kernel for a free TCP port on 127.0.0.1 (bind to 0, read it back, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not read back a bound port'));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}
