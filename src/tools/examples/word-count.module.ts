import { Module } from '@nestjs/common';
import { WordCountTool } from './word-count.tool';

/** Any feature module can hold tools: listing the class is the whole registration. */
@Module({ providers: [WordCountTool] })
export class WordCountModule {}
