export { LimitsModule } from './limits.module';
export { LimitsService, type AdmitOptions, type UsageReport } from './limits.service';
export { Admission, type AdmissionGrant, type Endpoint, type ResponseEnd } from './admission';
export { LimitsHealthIndicator, type LimitsHealth } from './limits.health';
