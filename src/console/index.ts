export { ConsoleModule } from './console.module';
export { CONSOLE_CSP } from './console.constants';
