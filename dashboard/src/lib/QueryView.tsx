// Readable loading, empty, not-found and error states around any query's content.
import type { ReactNode } from 'react';
import type { ApiFailure } from '../api/client.js';
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
  /** Shown instead of an error box when the collector answers 404 (an unknown SLO, host or campaign): say what does not exist. */
  notFound?: ReactNode;
  isEmpty?: (d: T) => boolean;
  empty?: ReactNode;
  children: (d: T) => ReactNode;
}

export function QueryView<T>({ q, what, notFound, isEmpty, empty, children }: QueryViewProps<T>) {
  if (q.data !== undefined) {
    return (
      <>
        {q.error === undefined ? null : <ErrorBox error={q.error} onRetry={q.reload} />}
        {isEmpty?.(q.data) === true ? <EmptyState>{empty ?? `No ${what} in this range.`}</EmptyState> : children(q.data)}
      </>
    );
  }
  if (q.error !== undefined) {
    if (q.error.status === 404 && notFound !== undefined) return <EmptyState testId="not-found">{notFound}</EmptyState>;
    return <ErrorBox error={q.error} onRetry={q.reload} />;
  }
  return <LoadingState what={what} />;
}
