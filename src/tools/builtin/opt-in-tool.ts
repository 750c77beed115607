import type { ClientKeyConfig } from '../../config';
import type { ToolAvailability } from '../gateway-tool.interface';

/**
 * Who may use a tool that runs code or keeps state (`run_javascript`, `memory`), which is off
 * unless configuration switches it on (issue 13, finding 14): everyone when its global switch is
 * on, else only the keys whose `allowed_tools` name it, else nobody.
 *
 * @example
 * optInAvailability(false, 'memory', [{ name: 'ci', key: '…', allowedTools: ['memory'] }]);
 * // 'listed-keys'
 */
export function optInAvailability(
  enabled: boolean,
  name: string,
  keys: readonly ClientKeyConfig[],
): ToolAvailability {
  if (enabled) return true;
  return keys.some((key) => key.allowedTools?.includes(name) === true) ? 'listed-keys' : false;
}
