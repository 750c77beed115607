import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth';
import { ErrorCode, GatewayException } from '../common/errors';
import type { AnalyticsReport } from './analytics-report';
import { GROUP_DIMENSIONS, type GroupDimension } from './analytics-store.interface';
import { ANALYTICS_WINDOWS, type AnalyticsWindow } from './analytics-windows';
import { AnalyticsMessages } from './analytics.messages';
import { AnalyticsService } from './analytics.service';

/** `GET /v1/analytics?window=&by=` (admin keys): the figures of a window, grouped (C5). */
@ApiTags('operators')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Requests, errors, tokens, cost, latency and TTFT percentiles, tokens/s, fallbacks, spills and the routing mix over a window',
  })
  @ApiQuery({ name: 'window', required: false, enum: ANALYTICS_WINDOWS })
  @ApiQuery({ name: 'by', required: false, enum: GROUP_DIMENSIONS })
  async report(
    @Query('window') window: unknown = '1h',
    @Query('by') by: unknown = 'tier',
  ): Promise<AnalyticsReport> {
    const w = oneOf(window, ANALYTICS_WINDOWS, 'window', AnalyticsMessages.badWindow);
    const d = oneOf(by, GROUP_DIMENSIONS, 'by', AnalyticsMessages.badDimension);
    try {
      return await this.analytics.report(w as AnalyticsWindow, d as GroupDimension);
    } catch (error) {
      if (error instanceof GatewayException) throw error;
      throw new GatewayException(ErrorCode.Overloaded, AnalyticsMessages.storeUnreadable(), {
        headers: { 'retry-after': '1' },
      });
    }
  }
}

function oneOf(
  value: unknown,
  allowed: readonly string[],
  param: string,
  message: (value: string, allowed: readonly string[]) => string,
): string {
  if (typeof value === 'string' && allowed.includes(value)) return value;
  throw new GatewayException(
    ErrorCode.InvalidValue,
    message(typeof value === 'string' ? value : String(value), allowed),
    { param },
  );
}
