export { ResponsesModule } from './responses.module';
