import { Module } from '@nestjs/common';
import { LimitsModule } from '../limits';
import { TierRoutingModule } from '../tier-routing';
import { ANTHROPIC_CONFIG } from './anthropic.config';
import { CountTokensBodyPipe, MessagesBodyPipe } from './messages-body.pipe';
import { MessagesController } from './messages.controller';

/** The Anthropic Messages API front (`/v1/messages`), over the tiers' routing. */
@Module({
  imports: [TierRoutingModule, LimitsModule],
  controllers: [MessagesController],
  providers: [ANTHROPIC_CONFIG.provider, MessagesBodyPipe, CountTokensBodyPipe],
})
export class AnthropicModule {}
