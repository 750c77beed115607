import type { ToolsSlice } from '../tools.config';
import { BuiltinToolMessages } from './builtin-tools.messages';
import { CurrentTimeTool } from './current-time.tool';

function clockTool(enabled = true): CurrentTimeTool {
  const config = { tools: { builtin: { currentTime: { enabled } } } } as unknown as ToolsSlice;
  const tool = new CurrentTimeTool(config);
  tool.now = () => new Date('2026-07-14T10:30:05.250Z');
  return tool;
}

describe('CurrentTimeTool', () => {
  const tool = clockTool();

  it.each([
    [
      'UTC',
      {
        timezone: 'UTC',
        iso: '2026-07-14T10:30:05Z',
        date: '2026-07-14',
        time: '10:30:05',
        weekday: 'Tuesday',
        utc_offset: '+00:00',
        unix: 1784025005,
      },
    ],
    [
      'Europe/Paris',
      {
        timezone: 'Europe/Paris',
        iso: '2026-07-14T12:30:05+02:00',
        date: '2026-07-14',
        time: '12:30:05',
        weekday: 'Tuesday',
        utc_offset: '+02:00',
        unix: 1784025005,
      },
    ],
    [
      'Pacific/Kiritimati',
      expect.objectContaining({ iso: '2026-07-15T00:30:05+14:00', weekday: 'Wednesday' }),
    ],
    ['America/St_Johns', expect.objectContaining({ utc_offset: '-02:30', time: '08:00:05' })],
  ])('tells the time in %s', (timezone, expected) => {
    expect(tool.execute({ timezone })).toEqual(expected);
  });

  it('defaults to UTC', () => {
    expect(tool.execute({})).toMatchObject({ timezone: 'UTC', time: '10:30:05' });
  });

  it('refuses an unknown zone with a message the model can act on', () => {
    expect(() => tool.execute({ timezone: 'Mars/Olympus_Mons' })).toThrow(
      BuiltinToolMessages.unknownTimeZone('Mars/Olympus_Mons'),
    );
  });

  it('is switchable in configuration', () => {
    expect(clockTool(false).isEnabled()).toBe(false);
  });
});
