import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateKeyTables } from '../../src/config/config-docs.renderer';
import { GATEWAY_CONFIG_KEYS } from '../../src/config/gateway-config.keys';

/**
 * `npm run docs:config`: renders the key tables of docs/configuration.md from the declaration
 * (src/config/keys). `--check` only reports whether they are up to date (exit 1 when not).
 */
const file = join(__dirname, '..', '..', '..', 'docs', 'configuration.md');
const current = readFileSync(file, 'utf8');
const updated = updateKeyTables(current, GATEWAY_CONFIG_KEYS);
if (process.argv.includes('--check')) {
  if (updated !== current) {
    console.error('docs/configuration.md is out of date: run npm run docs:config');
    process.exit(1);
  }
  console.log('docs/configuration.md: key tables up to date');
} else if (updated === current) {
  console.log('docs/configuration.md: key tables already up to date');
} else {
  writeFileSync(file, updated);
  console.log('docs/configuration.md: key tables regenerated from src/config/keys');
}
