import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CallerIdentity } from '../auth';
import { LimitsService, type UsageReport } from './limits.service';

/** `GET /v1/usage`: the calling key's own current window and limits. */
@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly limits: LimitsService) {}

  @Get()
  @ApiOperation({
    summary:
      "The calling key's requests, tokens and requests in flight in the current minute, with its limits",
  })
  usage(@Req() request: { caller?: CallerIdentity }): Promise<UsageReport> {
    return this.limits.report(this.limits.callerOf(request.caller));
  }
}
