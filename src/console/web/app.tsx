import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ConsoleApi } from './client';
import { errorText, isKeyRefused, type ApiFailure } from './errors';
import { formatClock } from './format';
import { PerformancePanel } from './panels/performance';
import { ProvidersPanel } from './panels/providers';
import { RoutingPanel } from './panels/routing';
import { SpendPanel } from './panels/spend';
import { failureFrom, SessionContext, type Session } from './session';
import type { AnalyticsWindow } from './wire.types';

/** Session storage only: gone when the tab closes, never sent anywhere but the bearer header. */
const KEY_STORAGE = 'tiergate.console.adminKey';
/** How often the panels reload while the page is visible. */
export const REFRESH_MS = 5000;
const WINDOWS: AnalyticsWindow[] = ['5m', '1h', '24h', '7d'];
const PANELS = [
  { id: 'providers', title: 'Providers', view: ProvidersPanel },
  { id: 'routing', title: 'Routing', view: RoutingPanel },
  { id: 'performance', title: 'Performance', view: PerformancePanel },
  { id: 'spend', title: 'Spend', view: SpendPanel },
] as const;
type PanelId = (typeof PANELS)[number]['id'];

export function App() {
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(KEY_STORAGE));
  const [refused, setRefused] = useState<string | undefined>(undefined);
  const signOut = useCallback((reason?: string) => {
    sessionStorage.removeItem(KEY_STORAGE);
    setKey(null);
    setRefused(reason);
  }, []);
  if (!key) {
    return (
      <SignIn
        notice={refused}
        onSignedIn={(k) => {
          sessionStorage.setItem(KEY_STORAGE, k);
          setRefused(undefined);
          setKey(k);
        }}
      />
    );
  }
  return <Console adminKey={key} onSignOut={signOut} />;
}

function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: (key: string) => void }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const submit = (event: Event) => {
    event.preventDefault();
    const key = value.trim();
    if (!key) return;
    setBusy(true);
    // An operator endpoint: only an admin key passes.
    new ConsoleApi(key).providers().then(
      () => onSignedIn(key),
      (error: unknown) => {
        setBusy(false);
        setFailure(failureFrom(error));
      },
    );
  };
  const message = failure ? errorText(failure) : notice;
  return (
    <main class="sign-in">
      <h1>Tiergate console</h1>
      <form onSubmit={submit}>
        <label for="admin-key">Admin key</label>
        <input
          id="admin-key"
          name="admin-key"
          type="password"
          autocomplete="off"
          required
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          aria-describedby="sign-in-help"
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p id="sign-in-help" class="muted">
          A key with role admin (auth.keys[].role). It stays in this tab's session storage and is
          sent only as an Authorization header to this gateway.
        </p>
        {message && (
          <p class="notice notice-error" role="alert" data-testid="sign-in-error">
            {message}
          </p>
        )}
      </form>
    </main>
  );
}

function Console({
  adminKey,
  onSignOut,
}: {
  adminKey: string;
  onSignOut: (reason?: string) => void;
}) {
  const api = useMemo(() => new ConsoleApi(adminKey), [adminKey]);
  const [panel, setPanel] = useState<PanelId>(() => panelOf(location.hash));
  const [window, setWindow] = useState<AnalyticsWindow>('1h');
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState(true);
  const [updatedAt, setUpdatedAt] = useState(() => new Date().toISOString());

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [live]);
  useEffect(() => setUpdatedAt(new Date().toISOString()), [tick]);
  useEffect(() => {
    const onHash = () => setPanel(panelOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const onFailure = useCallback(
    (failure: ApiFailure) => {
      if (isKeyRefused(failure)) onSignOut(errorText(failure));
    },
    [onSignOut],
  );
  const session: Session = useMemo(
    () => ({ api, tick, window, onFailure }),
    [api, tick, window, onFailure],
  );
  const View = PANELS.find((p) => p.id === panel)!.view;
  return (
    <SessionContext.Provider value={session}>
      <header class="top">
        <h1>Tiergate console</h1>
        <nav aria-label="Panels">
          {PANELS.map((p) => (
            <a
              key={p.id}
              href={`#${p.id}`}
              aria-current={p.id === panel ? 'page' : undefined}
              class="tab"
            >
              {p.title}
            </a>
          ))}
        </nav>
        <div class="controls">
          <label>
            Window{' '}
            <select
              value={window}
              onChange={(e) => setWindow((e.target as HTMLSelectElement).value as AnalyticsWindow)}
            >
              {WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {w}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={live} onChange={() => setLive(!live)} /> Live (
            {REFRESH_MS / 1000} s)
          </label>
          <button type="button" onClick={() => setTick((t) => t + 1)}>
            Refresh now
          </button>
          <button type="button" onClick={() => onSignOut()}>
            Sign out
          </button>
          <span class="muted" aria-live="off" data-testid="updated-at">
            updated {formatClock(updatedAt)}
          </span>
        </div>
      </header>
      <main id="panel" data-panel={panel}>
        <View />
      </main>
    </SessionContext.Provider>
  );
}

function panelOf(hash: string): PanelId {
  const id = hash.replace(/^#/, '');
  return PANELS.some((p) => p.id === id) ? (id as PanelId) : 'providers';
}
