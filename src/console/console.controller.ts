import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth';
import { ErrorCode, GatewayException } from '../common/errors';
import type { ConsoleBundle, ConsoleFile } from './console-bundle';
import { CONSOLE_BUNDLE, CONSOLE_CSP } from './console.constants';
import { ConsoleMessages } from './console.messages';

/**
 * `GET /console` and its assets, from the gateway itself. Public: the page holds no secret; its
 * data calls carry the operator's admin key, which the page keeps in session storage. Assets have
 * content-hashed names, so they are cached for good; the page itself never is.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  constructor(@Inject(CONSOLE_BUNDLE) private readonly bundle: ConsoleBundle) {}

  @Get()
  page(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply) {
    const page = this.bundle.page;
    if (!page)
      throw new GatewayException(ErrorCode.NotFound, ConsoleMessages.notBuilt(this.bundle.dir));
    return send(reply, page, ifNoneMatch, 'no-cache');
  }

  @Get('assets/:file')
  asset(
    @Param('file') name: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const file = this.bundle.assets.get(name);
    if (!file) throw new GatewayException(ErrorCode.NotFound, ConsoleMessages.unknownAsset(name));
    return send(reply, file, ifNoneMatch, 'public, max-age=31536000, immutable');
  }
}

function send(
  reply: FastifyReply,
  file: ConsoleFile,
  ifNoneMatch: string | undefined,
  cacheControl: string,
): FastifyReply {
  reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('cache-control', cacheControl)
    .header('etag', file.etag);
  if (ifNoneMatch === file.etag) return reply.status(304).send();
  return reply.status(200).type(file.contentType).send(file.body);
}
