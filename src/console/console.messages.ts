/** Texts of the console's HTTP answers, so tests assert on them. */
export const ConsoleMessages = {
  notBuilt: (dir: string) =>
    `The console is not built (no ${dir}/index.html): run \`npm run build\` and restart the gateway.`,
  unknownAsset: (name: string) => `Unknown console asset: ${name}.`,
};
