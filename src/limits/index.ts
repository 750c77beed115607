export { LimitsModule } from './limits.module';
export { LimitsService, type AdmitOptions, type UsageReport } from './limits.service';
export { Admission, type Endpoint } from './admission';
export { LimitsHealthIndicator, type LimitsHealth } from './limits.health';
export { estimateInputTokens } from './input-tokens';
