import { Inject } from '@nestjs/common';
import { GatewayTool } from '../gateway-tool.decorator';
import type { ToolResult } from '../gateway-tool.interface';
import { TOOLS_CONFIG, type ToolsSlice } from '../tools.config';
import { BuiltinToolMessages } from './builtin-tools.messages';

export interface CurrentTimeArgs {
  timezone?: string;
}

/** `current_time`: the current date and time in an IANA time zone. */
@GatewayTool({
  name: 'current_time',
  description:
    'Returns the current date and time in an IANA time zone (e.g. "Europe/Paris", ' +
    '"America/New_York"; default UTC): ISO 8601 with offset, weekday and UTC offset.',
  parameters: {
    type: 'object',
    properties: {
      timezone: {
        type: 'string',
        minLength: 1,
        maxLength: 64,
        default: 'UTC',
        description: 'An IANA time zone name.',
      },
    },
    additionalProperties: false,
  },
})
export class CurrentTimeTool implements GatewayTool<CurrentTimeArgs> {
  private readonly enabled: boolean;
  /** The clock; a spec may replace it. */
  now: () => Date = () => new Date();

  constructor(@Inject(TOOLS_CONFIG.token) config: ToolsSlice) {
    this.enabled = config.tools.builtin.currentTime.enabled;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  execute({ timezone = 'UTC' }: CurrentTimeArgs): ToolResult {
    let parts: Intl.DateTimeFormatPart[];
    const now = this.now();
    try {
      parts = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        weekday: 'long',
        timeZoneName: 'longOffset',
      }).formatToParts(now);
    } catch {
      throw new Error(BuiltinToolMessages.unknownTimeZone(timezone));
    }
    const part = (type: Intl.DateTimeFormatPartTypes): string =>
      parts.find((p) => p.type === type)?.value ?? '';
    // "GMT+02:00", or "GMT" for UTC itself.
    const offset = part('timeZoneName').replace(/^GMT/, '') || '+00:00';
    const date = `${part('year')}-${part('month')}-${part('day')}`;
    const time = `${part('hour')}:${part('minute')}:${part('second')}`;
    return {
      timezone: new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone,
      iso: `${date}T${time}${offset === '+00:00' ? 'Z' : offset}`,
      date,
      time,
      weekday: part('weekday'),
      utc_offset: offset,
      unix: Math.floor(now.getTime() / 1000),
    };
  }
}
