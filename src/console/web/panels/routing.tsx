import { useEffect, useState } from 'preact/hooks';
import { Chart } from '../chart';
import { errorText, type ApiFailure } from '../errors';
import { formatCount, formatShare, formatSigned } from '../format';
import { decidingStep, rankedCounts, strongestFeatures, tierShareChart } from '../series';
import { failureFrom, useLoad, useSession } from '../session';
import { EmptyNotice, ErrorNotice, Loading, ShareBar, Stat, TableScroll } from '../ui';
import type { RouteExplanation } from '../wire.types';

/** Where `auto` sends traffic and why, fallbacks and spills, and the route explainer. */
export function RoutingPanel() {
  const { api, tick, window } = useSession();
  const analytics = useLoad((signal) => api.analytics(window, 'tier', signal), [tick, window]);
  const [explained, setExplained] = useState<RouteExplanation | undefined>(undefined);
  const [threshold, setThreshold] = useState<number | undefined>(undefined);
  // The threshold in effect is part of every /v1/route answer; ask once for it.
  useEffect(() => {
    const controller = new AbortController();
    api.route('What is the thinking threshold?', controller.signal).then(
      (r) => setThreshold(r.thinkingThreshold),
      () => undefined,
    );
    return () => controller.abort();
  }, [api]);
  const data = analytics.data;
  const routing = data?.routing;
  const decisions = routing ? rankedCounts(routing.decisions) : [];
  const shownThreshold = explained?.thinkingThreshold ?? threshold;
  return (
    <section aria-labelledby="routing-title" class="panel">
      <h2 id="routing-title">Routing</h2>
      <ErrorNotice failure={analytics.failure} />
      {!data && analytics.loading && <Loading what="routing analytics" />}
      <dl class="stats">
        <Stat
          label={`auto requests (${window})`}
          value={formatCount(routing?.auto_requests)}
          testId="auto-requests"
        />
        <Stat
          label="to instant"
          value={formatShare(routing?.tier_share.instant)}
          testId="share-instant"
        />
        <Stat
          label="to thinking"
          value={formatShare(routing?.tier_share.thinking)}
          testId="share-thinking"
        />
        <Stat
          label="thinking threshold"
          value={shownThreshold === undefined ? '—' : String(shownThreshold)}
          testId="threshold"
        />
      </dl>
      {routing && (
        <Chart
          title={`Tier share of auto over ${window}`}
          data={tierShareChart(routing.series)}
          lines={['instant', 'thinking']}
          format={(v) => formatShare(v)}
          empty="No auto requests in this window: send a chat request with model auto (or no model) and it shows here at the next refresh."
          testId="chart-tier-share"
        />
      )}
      <div class="columns">
        <div>
          <h3>Decisions by reason</h3>
          {routing && decisions.length === 0 && (
            <EmptyNotice>No routing decisions in this window yet.</EmptyNotice>
          )}
          {decisions.length > 0 && (
            <TableScroll label="Decisions by reason">
              <table data-testid="decisions">
                <thead>
                  <tr>
                    <th scope="col">Reason</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Share</th>
                  </tr>
                </thead>
                <tbody>
                  {decisions.map((row) => (
                    <tr key={row.name}>
                      <th scope="row" class="mono">
                        {row.name}
                      </th>
                      <td>{formatCount(row.count)}</td>
                      <td>
                        <ShareBar share={row.share} label={formatShare(row.share)} />{' '}
                        {formatShare(row.share)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </div>
        <div>
          <h3>Fallbacks and spills</h3>
          {data && data.groups.length === 0 && (
            <EmptyNotice>No traffic in this window.</EmptyNotice>
          )}
          {data && data.groups.length > 0 && (
            <TableScroll label="Fallbacks and spills by tier">
              <table data-testid="fallbacks">
                <thead>
                  <tr>
                    <th scope="col">Tier</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Fallbacks</th>
                    <th scope="col">Spills</th>
                  </tr>
                </thead>
                <tbody>
                  {data.groups.map((g) => (
                    <tr key={g.key}>
                      <th scope="row">{g.key}</th>
                      <td>{formatCount(g.requests)}</td>
                      <td>{formatCount(g.fallbacks)}</td>
                      <td>{formatCount(g.spills)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </div>
      </div>
      <RouteExplainer onAnswer={setExplained} answer={explained} />
    </section>
  );
}

function RouteExplainer({
  onAnswer,
  answer,
}: {
  onAnswer: (r: RouteExplanation) => void;
  answer?: RouteExplanation;
}) {
  const { api, onFailure } = useSession();
  const [prompt, setPrompt] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const submit = (event: Event) => {
    event.preventDefault();
    if (!prompt.trim()) {
      setFailure({
        status: 400,
        code: null,
        message: 'write a prompt first',
        call: 'POST /v1/route',
      });
      return;
    }
    setBusy(true);
    setFailure(undefined);
    api.route(prompt).then(
      (r) => {
        setBusy(false);
        onAnswer(r);
      },
      (error: unknown) => {
        setBusy(false);
        const f = failureFrom(error);
        setFailure(f);
        onFailure(f);
      },
    );
  };
  const step = answer && decidingStep(answer);
  return (
    <div class="explainer">
      <h3 id="explainer-title">Explain a route</h3>
      <form onSubmit={submit} aria-labelledby="explainer-title">
        <label for="route-prompt">Prompt (as the latest user message, model auto)</label>
        <textarea
          id="route-prompt"
          rows={4}
          value={prompt}
          onInput={(e) => setPrompt((e.target as HTMLTextAreaElement).value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Explaining…' : 'Explain route'}
        </button>
      </form>
      {failure && (
        <p class="notice notice-error" role="alert">
          {errorText(failure)}
        </p>
      )}
      {answer && (
        <div class="explanation" data-testid="explanation" aria-live="polite">
          <dl class="stats">
            <Stat label="tier" value={answer.tier} testId="explained-tier" />
            <Stat
              label="confidence"
              value={answer.score === null ? '—' : answer.score.toFixed(2)}
              testId="explained-confidence"
            />
            <Stat label="deciding step" value={step?.step ?? '—'} testId="explained-step" />
            <Stat label="reason" value={answer.reason} testId="explained-reason" />
          </dl>
          {step?.probability !== undefined && (
            <p>
              P(thinking) = {step.probability.toFixed(3)} against a threshold of{' '}
              {answer.thinkingThreshold}
              {step.minConfidence !== undefined &&
                `; this step decides at confidence ${step.minConfidence} or more`}
              .
            </p>
          )}
          <TableScroll label="The features that decided">
            <table data-testid="features">
              <caption>
                The features that weighed most (logit units; positive leans thinking)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Feature</th>
                  <th scope="col">Value</th>
                  <th scope="col">Contribution</th>
                </tr>
              </thead>
              <tbody>
                {strongestFeatures(answer.features, 8).map((f) => (
                  <tr key={f.name}>
                    <th scope="row" class="mono">
                      {f.name}
                    </th>
                    <td>{Number(f.value.toFixed(3))}</td>
                    <td>{formatSigned(f.contribution)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <ol class="steps">
            {answer.steps.map((s) => (
              <li key={s.step}>
                <span class="mono">{s.step}</span>: {s.status}
                {s.tier ? ` → ${s.tier}` : ''}
                {typeof s.score === 'number' ? ` (${s.score.toFixed(2)})` : ''}
                {s.note ? ` — ${s.note}` : ''}
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
