import type { ComponentChildren } from 'preact';
import { errorText, type ApiFailure } from './errors';

/** An error the operator can act on: announced to screen readers as it appears. */
export function ErrorNotice({ failure }: { failure: ApiFailure | undefined }) {
  if (!failure) return null;
  return (
    <p class="notice notice-error" role="alert">
      {errorText(failure)}
    </p>
  );
}

/** Nothing to show yet, and what to do so that something shows. */
export function EmptyNotice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice notice-empty" role="status">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** A wide table that scrolls sideways on a phone; focusable so a keyboard can scroll it. */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

/** A bar for a share 0..1, drawn with a width (the CSSOM, allowed by the page's CSP). */
export function ShareBar({ share, label }: { share: number; label: string }) {
  const width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  return (
    <span class="share-bar" role="img" aria-label={label}>
      <span class="share-bar-fill" style={{ width }} />
    </span>
  );
}
