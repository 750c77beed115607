import { Module } from '@nestjs/common';
import { WordCountTool } from './word-count.tool';

/** A module of its own; AppModule imports it (step 2), and that registers the tool. */
@Module({ providers: [WordCountTool] })
export class WordCountModule {}
