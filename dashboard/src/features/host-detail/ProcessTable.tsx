import type { GpuProcessRow } from '@renderwatch/schema';
import { formatBytes } from '../../lib/format.js';

export function ProcessTable({ processes }: { processes: GpuProcessRow[] }) {
  return (
    <section className="panel">
      <h2>Processes on the GPU (latest sample)</h2>
      {processes.length === 0 ? (
        <p className="muted">No GPU processes reported in the latest sample.</p>
      ) : (
        <table className="data" data-testid="process-table">
          <thead>
            <tr>
              <th>GPU</th>
              <th>PID</th>
              <th>Process</th>
              <th title="runtime the agent matched the process to; empty = not a known runtime (another process)">Runtime</th>
              <th>VRAM</th>
            </tr>
          </thead>
          <tbody>
            {processes.map((p) => (
              <tr key={`${p.gpu_uuid}:${p.pid}`}>
                <td>{p.gpu_index}</td>
                <td>{p.pid}</td>
                <td>{p.name}</td>
                <td>{p.runtime === '' ? <span className="badge badge-warn">other process</span> : p.runtime}</td>
                <td>{formatBytes(p.used_memory_bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
