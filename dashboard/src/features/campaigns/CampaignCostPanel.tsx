// Campaign detail, cost: the campaign's share of the GPU-hours, energy and money of the range and
// money per image, from the `cost` of GET /api/v1/campaigns/{id} — the same figures as its row of
// /api/v1/cost?by=campaign (docs/api.md "Cost per campaign"). Unknown figures show a dash and say why.
import type { CampaignDetailCost } from '@renderwatch/schema';
import { Explain, Tile } from '../../lib/Explain.js';
import { formatNumber } from '../../lib/format.js';
import { EmptyState, ErrorBox } from '../../lib/QueryView.js';

const DASH = '—';

/** Dollars as the Cost page shows them; sub-cent amounts keep a third digit. */
export function formatUsd(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return DASH;
  return v >= 100 ? `$${formatNumber(v, 0)}` : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(3)}`;
}

/** Money per image: cents need more digits than whole dollars. */
export function formatPerImage(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return DASH;
  return v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(4)}`;
}

const WHY: Record<'past_raw_retention' | 'training_run', string> = {
  past_raw_retention: 'The GPU samples of this range are no longer kept (raw retention): its jobs and images are counted, its GPU time is not.',
  training_run: 'Training runs are not attributed GPU time: their events carry no campaign id.',
};

export function CampaignCostPanel({ cost }: { cost: CampaignDetailCost | undefined }) {
  // a collector older than the detail's cost answers none: nothing to show
  if (cost === undefined) return null;
  const span = `${cost.from.slice(0, 16).replace('T', ' ')} → ${cost.to.slice(0, 16).replace('T', ' ')} UTC`;
  return (
    <section className="panel" aria-label="campaign cost" data-testid="campaign-cost">
      <h2>
        Cost{' '}
        <Explain text="Each GPU sample's time and energy is shared among the jobs running on that GPU during it (in proportion to their overlap); the campaign gets its jobs' shares, priced at its GPUs' price per GPU-hour. The range widened to whole hours, as on the Cost page." />
      </h2>
      {cost.unknown === 'failed' ? (
        <ErrorBox
          error={{
            code: cost.error_code ?? 'COL_ERR_INTERNAL',
            message: 'the campaign’s cost could not be worked out; the rest of the campaign is shown',
            status: 0,
          }}
        />
      ) : cost.unknown === 'training_run' ? (
        <EmptyState testId="campaign-cost-unknown">{WHY.training_run}</EmptyState>
      ) : (
        <>
          <div className="tiles">
            <Tile testId="campaign-cost-gpu-hours" label="GPU-hours" value={formatNumber(cost.gpu_hours, 2)} explain="the campaign's share of its GPUs' time" />
            <Tile
              testId="campaign-cost-kwh"
              label="Energy"
              value={cost.energy_kwh === null ? DASH : `${formatNumber(cost.energy_kwh, 2)} kWh`}
              explain="its share of the GPUs' energy counter (NVML)"
            />
            <Tile
              testId="campaign-cost-money"
              label="Cost"
              value={formatUsd(cost.cost)}
              detail={(cost.unpriced_gpu_hours ?? 0) > 0 ? `+${formatNumber(cost.unpriced_gpu_hours, 1)} unpriced GPU-h` : undefined}
              explain="GPU-hours × the GPU model's price per GPU-hour (COLLECTOR_GPU_PRICES)"
              tone={cost.cost === null ? 'muted' : 'ok'}
            />
            <Tile
              testId="campaign-cost-per-image"
              label="Per image"
              value={formatPerImage(cost.cost_per_image)}
              explain="cost ÷ images of the jobs that ended in the range"
            />
            <Tile
              testId="campaign-cost-jobs"
              label="Jobs / images"
              value={`${formatNumber(cost.jobs)} / ${formatNumber(cost.images)}`}
              detail={(cost.unattributed_jobs ?? 0) > 0 ? `${formatNumber(cost.unattributed_jobs)} without a GPU` : undefined}
              explain="jobs of the campaign that ended in the range (any outcome) and their images; a job without a GPU index on a host with several GPUs gets no GPU time"
              tone={(cost.unattributed_jobs ?? 0) > 0 ? 'warn' : 'ok'}
            />
          </div>
          <p className="small muted" data-testid="campaign-cost-note">
            {cost.unknown === 'past_raw_retention' ? `${WHY.past_raw_retention} ` : null}
            {cost.gpu_names.length === 0 ? null : `${cost.gpu_names.join(', ')} · `}
            {span}
          </p>
        </>
      )}
    </section>
  );
}
