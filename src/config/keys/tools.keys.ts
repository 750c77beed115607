import { boolean, httpUrl, integer, ms, section, stringList, text } from '../config-key.builders';
import { CONFIG_LIMITS } from '../config.constants';

/** Whether a built-in tool is registered; a disabled tool is neither listed nor executed. */
const toolSwitch = (enabled: boolean, doc?: string) =>
  section({ enabled: boolean({ default: enabled, doc }) }, { name: 'ToolSwitchSchema' });

const OPT_IN =
  "off unless switched on here (every key) or listed in a key's `allowed_tools` (that key)";

/** `tools`: server-side tools run by the gateway inside `/v1/chat/completions` (docs/api.md §8). */
export const TOOLS_KEYS = section(
  {
    /** Rounds of tool execution before the model is asked once more with `tool_choice: none`. */
    maxRounds: integer(1, CONFIG_LIMITS.maxToolRounds, {
      default: 8,
      env: 'TOOLS_MAX_ROUNDS',
      doc: 'rounds of tool execution; then the model is asked once more with `tool_choice: none`',
    }),
    /** Default time limit of one tool call (a tool may declare its own). */
    timeoutMs: ms(1, {
      default: 10_000,
      env: 'TOOLS_TIMEOUT_MS',
      doc:
        'time limit of one tool call (a tool may declare its own); past it the model gets an ' +
        'error result',
    }),
    /**
     * Calls of one assistant turn the gateway runs; a caller's turn with more is a 400, a model's
     * extra calls get a tool error.
     */
    maxCallsPerRound: integer(1, CONFIG_LIMITS.maxToolCalls, {
      default: 16,
      doc:
        "calls of one assistant turn that run; the model's extra calls get an error result, a " +
        "caller's turn with more is 400 `invalid_value` (`messages[i].tool_calls`)",
    }),
    /** Calls run for one request over all its rounds; later ones get a tool error. */
    maxCallsPerRequest: integer(1, CONFIG_LIMITS.maxToolCalls, {
      default: 64,
      doc: 'calls run for one request over all its rounds; later ones get an error result',
    }),
    /** The sandbox threads `run_javascript` and `calculator` share (issue 13). */
    sandbox: section(
      {
        // Each thread holds tens of MB.
        maxWorkers: integer(1, CONFIG_LIMITS.maxSandboxWorkers, {
          default: 4,
          doc:
            'sandbox threads (`run_javascript`, `calculator`) running at once, every request ' +
            'together; each holds tens of MB',
        }),
        queueTimeoutMs: ms(1, {
          default: 5_000,
          doc: 'longest a call waits for a free sandbox thread; then the model gets an error result',
        }),
      },
      { name: 'SandboxPoolSchema' },
    ),
    escalation: section(
      {
        /** Whether a struggling tool loop on the instant tier moves to the thinking tier. */
        enabled: boolean({
          default: true,
          doc:
            'a struggling loop on the instant tier moves to thinking (`escalated:tools`); needs ' +
            'a thinking tier',
        }),
        invalidArguments: integer(1, CONFIG_LIMITS.maxToolRounds, {
          default: 2,
          values: 'count',
          doc: 'tool calls with invalid arguments, over all rounds, that trigger the move',
        }),
        rounds: integer(1, CONFIG_LIMITS.maxToolRounds, {
          optional: true,
          values: 'count',
          defaultDoc: '⌈`max_rounds` / 2⌉',
          doc: 'executed rounds that trigger the move',
        }),
      },
      { name: 'ToolEscalationSchema' },
    ),
    builtin: section(
      {
        calculator: toolSwitch(true, 'register the built-in tool'),
        currentTime: toolSwitch(true),
        // Tools that run code or keep state are off unless configured (issue 13).
        runJavascript: toolSwitch(
          false,
          `runs code a model wrote: ${OPT_IN} ([security.md](security.md#tools))`,
        ),
        webSearch: toolSwitch(true, 'registered only when `tools.web_search.endpoint` is set too'),
        memory: toolSwitch(false, `keeps state across requests: ${OPT_IN}`),
      },
      { name: 'BuiltinToolsSchema' },
    ),
    runJavascript: section(
      {
        /** CPU-time budget of one script (the sandbox is killed past it). */
        timeoutMs: ms(1, { default: 2_000, doc: 'CPU-time budget of one script' }),
        /** Heap limit of the QuickJS runtime, in MiB. */
        memoryLimitMb: integer(1, CONFIG_LIMITS.maxSandboxMemoryMb, {
          default: 32,
          doc: 'heap limit of the QuickJS sandbox',
        }),
      },
      { name: 'RunJavascriptSchema' },
    ),
    webSearch: section(
      {
        /** A SearxNG-compatible JSON search URL (`…/search`); the tool is absent when unset. */
        endpoint: httpUrl({
          optional: true,
          env: 'WEB_SEARCH_ENDPOINT',
          defaultDoc: 'none (no `web_search`)',
          doc: 'a SearxNG-compatible JSON search URL',
        }),
        maxResults: integer(1, CONFIG_LIMITS.maxSearchResults, {
          default: 5,
          doc: 'results per query',
        }),
        timeoutMs: ms(1, {
          default: 5_000,
          doc: 'one deadline for connecting, redirects and reading the answer',
        }),
        maxBodyBytes: integer(1, CONFIG_LIMITS.maxBodyLimitBytes, {
          default: 1024 * 1024,
          values: 'bytes',
          doc: 'largest answer read from the search service; a larger one is an error result',
        }),
        /** Hosts other than the endpoint's that a redirect may lead to (lower-cased). */
        redirectHosts: stringList({
          default: [],
          map: (host) => host.toLowerCase(),
          values: 'hosts',
          doc:
            "hosts besides the endpoint's that a redirect may lead to; redirects elsewhere are " +
            'refused',
        }),
      },
      { name: 'WebSearchSchema' },
    ),
    memory: section(
      {
        maxNotes: integer(1, CONFIG_LIMITS.maxMemoryNotes, {
          default: 200,
          values: 'count',
          doc: 'notes kept per key; the oldest are dropped beyond it',
        }),
        keyPrefix: text({
          default: 'tiergate:memory:',
          doc: "prefix of the notes' Redis keys; deployments sharing a Redis each set their own",
        }),
      },
      { name: 'MemoryToolSchema' },
    ),
  },
  {
    name: 'ToolsSchema',
    resolve: ({ escalation, ...tools }) => ({
      ...tools,
      escalation: {
        enabled: escalation.enabled,
        invalidArguments: escalation.invalidArguments,
        rounds: escalation.rounds ?? Math.ceil(tools.maxRounds / 2),
      },
    }),
  },
);
