import { ConfigMessages } from './config.messages';
import { expandEnvString, expandEnvTree } from './env-expand';

describe('expandEnvString', () => {
  const env = { HOST: 'vllm-0', EMPTY: '', KEY: 'abc$def' };

  it.each([
    ['no reference', 'plain text', 'plain text'],
    ['a set variable', 'http://${HOST}:8000/v1', 'http://vllm-0:8000/v1'],
    ['a default, variable set', '${HOST:-fallback}', 'vllm-0'],
    ['a default, variable unset', '${NOPE:-fallback}', 'fallback'],
    ['a default, variable empty (shell :- semantics)', '${EMPTY:-fallback}', 'fallback'],
    ['an empty default', 'x${NOPE:-}y', 'xy'],
    ['a default with spaces and colons', '${NOPE:-a b:c}', 'a b:c'],
    ['a set but empty variable without default', '[${EMPTY}]', '[]'],
    ['$$ as a literal $', 'pa$$word', 'pa$word'],
    ['$${X} as a literal ${X}', '$${HOST}', '${HOST}'],
    ['a lone $ kept', 'cost: 5$ or $HOST', 'cost: 5$ or $HOST'],
    ['several references', '${HOST}-${NOPE:-n}-${HOST}', 'vllm-0-n-vllm-0'],
    ['a value with $ not rescanned', '${KEY}', 'abc$def'],
  ])('%s', (_case, input, expected) => {
    expect(expandEnvString(input, env)).toEqual({ value: expected, unset: [] });
  });

  it('reports each unset variable once', () => {
    expect(expandEnvString('${A}/${B}/${A}', {}).unset).toEqual(['A', 'B']);
  });

  it.each([
    ['an unclosed brace', 'abc ${HOST', 4],
    ['an invalid name', '${1ABC}', 0],
    ['an empty reference', 'x${}', 1],
    ['a bash-only operator', '${HOST:=x}', 0],
  ])('flags %s as malformed', (_case, input, offset) => {
    expect(expandEnvString(input, env).malformedAt).toBe(offset);
  });
});

describe('expandEnvTree', () => {
  it('expands string scalars at every depth, never keys or other scalars', () => {
    const tree = {
      '${HOST}': 'key is not expanded',
      pools: { p: { upstreams: [{ url: 'http://${HOST}/v1', weight: 2, tls: { on: true } }] } },
      list: ['${HOST}', null, 3],
    };
    const { value, issues } = expandEnvTree(tree, { HOST: 'h' });
    expect(issues).toEqual([]);
    expect(value).toEqual({
      '${HOST}': 'key is not expanded',
      pools: { p: { upstreams: [{ url: 'http://h/v1', weight: 2, tls: { on: true } }] } },
      list: ['h', null, 3],
    });
  });

  it('does not modify its input', () => {
    const tree = { a: '${X}' };
    expandEnvTree(tree, { X: 'x' });
    expect(tree).toEqual({ a: '${X}' });
  });

  it('collects every unset variable with its YAML path instead of stopping at the first', () => {
    const tree = {
      auth: { keys: [{ name: 'a', key: '${TEAM_A_KEY}' }] },
      pools: { 'instant-vllm': { api_key: '${POOL_KEY}', upstreams: [{ url: '${U}' }] } },
      aliases: { 'Qwen/Qwen2.5': '${T}' },
    };
    const { issues } = expandEnvTree(tree, {});
    expect(issues).toEqual([
      { path: 'auth.keys[0].key', message: ConfigMessages.unsetVariable('TEAM_A_KEY') },
      { path: 'pools.instant-vllm.api_key', message: ConfigMessages.unsetVariable('POOL_KEY') },
      { path: 'pools.instant-vllm.upstreams[0].url', message: ConfigMessages.unsetVariable('U') },
      { path: 'aliases["Qwen/Qwen2.5"]', message: ConfigMessages.unsetVariable('T') },
    ]);
  });

  it('reports a malformed reference without echoing the value', () => {
    const { issues } = expandEnvTree({ auth: { keys: [{ key: 'sk-secret${oops' }] } }, {});
    expect(issues).toEqual([
      { path: 'auth.keys[0].key', message: ConfigMessages.malformedReference(9) },
    ]);
    expect(issues[0].message).not.toContain('secret');
  });
});
