// Readable loading, empty, not-yet-available and error states around any query's content.
import type { ReactNode } from 'react';
import { isNotAvailable, type ApiFailure } from '../api/client.js';
import type { QueryState } from '../api/usePolledQuery.js';

export function ErrorBox({ error, onRetry }: { error: ApiFailure; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <strong>Could not load this view</strong>
      <code data-testid="error-code">{error.code}</code>
      <span data-testid="error-message">{error.message}</span>
      {onRetry === undefined ? null : (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function EmptyState({ children, testId = 'empty-state' }: { children: ReactNode; testId?: string }) {
  return (
    <div className="state state-empty" data-testid={testId}>
      {children}
    </div>
  );
}

export function LoadingState({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite" data-testid="loading-state">
      Loading {what}…
    </div>
  );
}

export interface QueryViewProps<T> {
  q: QueryState<T>;
  what: string;
  /** Shown while the collector has no such route yet: "no data yet: this view fills in when …". */
  fillsInWhen: string;
  isEmpty?: (d: T) => boolean;
  empty?: ReactNode;
  children: (d: T) => ReactNode;
}

export function QueryView<T>({ q, what, fillsInWhen, isEmpty, empty, children }: QueryViewProps<T>) {
  if (q.data !== undefined) {
    return (
      <>
        {q.error === undefined ? null : <ErrorBox error={q.error} onRetry={q.reload} />}
        {isEmpty?.(q.data) === true ? <EmptyState>{empty ?? `No ${what} in this range.`}</EmptyState> : children(q.data)}
      </>
    );
  }
  if (q.error !== undefined) {
    if (isNotAvailable(q.error)) return <EmptyState testId="not-available">No data yet: this view fills in when {fillsInWhen}.</EmptyState>;
    return <ErrorBox error={q.error} onRetry={q.reload} />;
  }
  return <LoadingState what={what} />;
}
