import { formatBytes, formatCelsius, formatMhz, formatNumber, formatPercent, formatWatts } from '../lib/format.js';

export type ChartUnit = 'percent' | 'bytes' | 'bytes_per_s' | 'celsius' | 'watts' | 'mhz' | 'count' | 'per_min' | 'ratio_x';

/** Tick and tooltip text for a value in a chart unit. */
export function formatUnit(unit: ChartUnit, v: number | null | undefined): string {
  switch (unit) {
    case 'percent':
      return formatPercent(v);
    case 'bytes':
      return formatBytes(v);
    case 'bytes_per_s':
      return `${formatBytes(v)}/s`;
    case 'celsius':
      return formatCelsius(v);
    case 'watts':
      return formatWatts(v);
    case 'mhz':
      return formatMhz(v);
    case 'count':
      return formatNumber(v);
    case 'per_min':
      return `${formatNumber(v, 1)}/min`;
    case 'ratio_x':
      return `${formatNumber(v, 1)}×`;
  }
}

export const UNIT_LABEL: Record<ChartUnit, string> = {
  percent: '%',
  bytes: 'bytes',
  bytes_per_s: 'bytes per second',
  celsius: '°C',
  watts: 'W',
  mhz: 'MHz',
  count: 'count',
  per_min: 'per minute',
  ratio_x: '× budget rate',
};
