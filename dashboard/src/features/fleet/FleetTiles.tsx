import type { ReactNode } from 'react';
import { Link } from '../../app/router.js';
import { Tile } from '../../lib/Explain.js';
import { BUSY_UTILIZATION, type FleetSummary } from './transform.js';

/** A tile whose number comes from an endpoint that may not exist yet. */
export interface OptionalFigure {
  value: ReactNode | undefined;
  tone?: 'ok' | 'warn' | 'bad' | 'muted';
  href: string;
  /** What the tile waits for (the endpoint), shown while it loads. */
  pending: string;
}

function optionalTile(label: string, explain: string, f: OptionalFigure, testId: string) {
  const available = f.value !== undefined;
  return (
    <Tile
      label={label}
      explain={explain}
      tone={available ? (f.tone ?? 'ok') : 'muted'}
      testId={testId}
      value={available ? <Link to={f.href}>{f.value}</Link> : '—'}
      detail={available ? undefined : <span className="small">loading {f.pending}</span>}
    />
  );
}

export interface FleetTilesProps {
  summary: FleetSummary;
  silentAfterS: number;
  imagesPerMin: OptionalFigure;
  ooms: OptionalFigure;
  slosAtRisk: OptionalFigure;
  firingAlerts: OptionalFigure;
}

export function FleetTiles(p: FleetTilesProps) {
  const s = p.summary;
  return (
    <div className="tiles">
      <Tile
        label="Hosts up"
        testId="tile-hosts-up"
        explain={`Hosts that reported within the last ${p.silentAfterS} s; silent ones have not.`}
        value={`${s.up} / ${s.hosts}`}
        tone={s.silent > 0 ? 'warn' : 'ok'}
        detail={s.silent > 0 ? <Link to="/?status=silent">{s.silent} silent</Link> : 'none silent'}
      />
      <Tile
        label="GPUs busy"
        testId="tile-gpus-busy"
        explain={`GPUs on reporting hosts at or above ${Math.round(BUSY_UTILIZATION * 100)}% utilization in their latest sample.`}
        value={`${s.busyGpus} / ${s.gpus}`}
        detail={s.gpus > 0 ? `${Math.round((100 * s.busyGpus) / s.gpus)}% of GPUs` : 'no GPUs'}
      />
      {optionalTile('Images / min', 'Images finished per minute, fleet-wide, over the selected range (job_end events).', p.imagesPerMin, 'tile-images')}
      {optionalTile('OOMs in range', 'Out-of-memory events in the selected range; open the OOM explorer for causes.', p.ooms, 'tile-ooms')}
      {optionalTile('SLOs at risk', 'SLOs whose error budget is exhausted or burning faster than allowed.', p.slosAtRisk, 'tile-slos')}
      {optionalTile('Firing alerts', 'Alerts currently firing (not resolved).', p.firingAlerts, 'tile-alerts')}
    </div>
  );
}
