import { Controller, Get, Optional, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CallerIdentity } from '../auth';
import { BudgetService, type SpendReport } from '../spend';
import { LimitsService, type UsageReport } from './limits.service';

/** `GET /v1/usage`: the calling key's own current window and limits, and its spend. */
@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1/usage')
export class UsageController {
  constructor(
    private readonly limits: LimitsService,
    @Optional() private readonly budgets?: BudgetService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      "The calling key's requests, tokens and requests in flight in the current minute, with its limits, and its spend and budget in the current period",
  })
  async usage(
    @Req() request: { caller?: CallerIdentity },
  ): Promise<UsageReport & { spend?: SpendReport }> {
    const caller = this.limits.callerOf(request.caller);
    const [report, spend] = await Promise.all([
      this.limits.report(caller),
      this.budgets?.reportOf(caller.keyName),
    ]);
    return spend ? { ...report, spend } : report;
  }
}
