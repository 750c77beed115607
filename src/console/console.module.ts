import { Module } from '@nestjs/common';
import { defaultConsoleDir, loadConsoleBundle } from './console-bundle';
import { ConsoleController } from './console.controller';
import { CONSOLE_BUNDLE } from './console.constants';

/** The operations console (issue 16): the built page and its assets, served by the gateway. */
@Module({
  controllers: [ConsoleController],
  providers: [
    { provide: CONSOLE_BUNDLE, useFactory: () => loadConsoleBundle(defaultConsoleDir()) },
  ],
})
export class ConsoleModule {}
