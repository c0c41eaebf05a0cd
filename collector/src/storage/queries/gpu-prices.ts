// COLLECTOR_GPU_PRICES ("H100=2.49,L40S=1.10,*=0.80") parsed once at startup, and the price lookup
// the cost API uses. Pure: unit-tested beside.

export interface GpuPrice {
  /** Substring of the GPU name (case-insensitive), or "*" for any GPU. */
  match: string;
  /** Price per GPU-hour. */
  price: number;
}

/** Parses "name=price,..." in order; empty text = no prices. Throws on a malformed pair (config.ts validates first). */
export function parseGpuPrices(text: string): readonly GpuPrice[] {
  if (text.trim() === '') return [];
  return text.split(',').map((pair) => {
    const eq = pair.indexOf('=');
    const match = pair.slice(0, eq).trim();
    const price = Number(pair.slice(eq + 1).trim());
    if (eq <= 0 || match === '' || pair.slice(eq + 1).trim() === '' || !Number.isFinite(price) || price < 0) {
      throw new TypeError(`not a "name=price" pair: ${JSON.stringify(pair)}`);
    }
    return { match, price };
  });
}

/** The price of the first entry whose name is a substring of `gpuName` (or "*"); null when none matches. */
export function priceFor(prices: readonly GpuPrice[], gpuName: string): number | null {
  const name = gpuName.toLowerCase();
  return prices.find((p) => p.match === '*' || name.includes(p.match.toLowerCase()))?.price ?? null;
}
