export { REDACTED, SecretScrubber, installSecrets, scrubSecrets } from './secret-scrubber';
