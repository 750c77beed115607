import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { SpendTicket } from './spend-ticket';
import { COST_HEADER } from './spend.constants';
import { SpendService } from './spend.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's spend, from admission on (absent when no price is configured). */
    spend?: SpendTicket;
  }
}

/**
 * `x-gateway-cost` on non-streamed answers: a Fastify `onSend` hook, which a hijacked (SSE)
 * reply never reaches, so streams carry their cost in the log line and metrics only. Every
 * upstream call of a non-streamed answer is done by the time its body is sent.
 */
@Injectable()
export class SpendHeaders implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly spend: SpendService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || !this.spend.pricing.enabled) return;
    const currency = this.spend.currency;
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const ticket = request.spend;
      if (ticket !== undefined && reply.statusCode < 400) {
        reply.header(COST_HEADER, ticket.header(currency));
      }
      done(null, payload);
    });
  }
}
