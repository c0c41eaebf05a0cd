// Outcome of one delivery attempt (expected failures are values, docs/style.md "4. Errors").
export type SendResult = { status: 'ok' } | { status: 'retryable'; error: Error } | { status: 'failed'; error: Error };

/** Maps an HTTP status to a result: 2xx ok, 408/429/5xx retryable, other 4xx failed. */
export function resultOfStatus(status: number, body: string): SendResult {
  if (status >= 200 && status < 300) return { status: 'ok' };
  const error = new Error(`HTTP ${status}: ${body.slice(0, 200)}`);
  return status === 408 || status === 429 || status >= 500 ? { status: 'retryable', error } : { status: 'failed', error };
}

/** POSTs JSON; network errors and timeouts are retryable values, never exceptions. */
export async function postJson(fetchFn: typeof fetch, url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return resultOfStatus(res.status, text);
  } catch (err: unknown) {
    return { status: 'retryable', error: err instanceof Error ? err : new Error(String(err)) };
  }
}
