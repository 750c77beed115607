/**
 * The page's Content-Security-Policy: everything from the gateway itself, nothing inline, no
 * framing. uPlot and Preact set styles through the CSSOM (`element.style`), which `style-src`
 * does not govern, so no `'unsafe-inline'` is needed.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The built bundle (`npm run build` writes it), or undefined when it was never built. */
export const CONSOLE_BUNDLE = 'CONSOLE_BUNDLE';
