/**
 * The `browser` Jest project's environment: Node's, plus puppeteer-core as `globalThis.puppeteer`.
 * puppeteer-core 25 ships ES modules only, which Jest's module registry cannot require on Node
 * 20; Node itself can (require of ESM, Node >= 20.19), and a test environment is loaded by Node,
 * outside that registry.
 */
const { TestEnvironment } = require('jest-environment-node');
const puppeteer = require('puppeteer-core');

class BrowserEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.puppeteer = puppeteer;
  }
}

module.exports = BrowserEnvironment;
