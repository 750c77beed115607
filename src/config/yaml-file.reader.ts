import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from './config.errors';
import { ConfigMessages } from './config.messages';
import { isPlainObject } from './env-expand';

export interface YamlFileResult {
  /** The parsed top-level mapping; empty when the file could not be used. */
  tree: Record<string, unknown>;
  issues: ConfigIssue[];
}

const SOURCE = 'GATEWAY_CONFIG';

/**
 * Reads and parses the YAML file named by `GATEWAY_CONFIG` (relative paths resolve against the
 * working directory). A missing, unreadable or unparsable file is reported naming the file.
 */
export function readYamlConfigFile(file: string): YamlFileResult {
  const fail = (message: string): YamlFileResult => ({
    tree: {},
    issues: [{ path: SOURCE, message }],
  });
  const absolute = resolve(file);

  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return fail(
      code === 'ENOENT'
        ? ConfigMessages.fileNotFound(absolute)
        : ConfigMessages.fileUnreadable(absolute, code),
    );
  }

  // Duplicate keys are errors (the YAML default), so a pasted-twice block cannot win silently.
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    return fail(ConfigMessages.fileNotYaml(absolute, firstLine(document.errors[0].message)));
  }

  let tree: unknown;
  try {
    // maxAliasCount guards against alias bombs ("billion laughs").
    tree = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(ConfigMessages.fileNotYaml(absolute, firstLine((error as Error).message)));
  }
  if (tree === null || tree === undefined) return { tree: {}, issues: [] };
  if (!isPlainObject(tree)) return fail(ConfigMessages.fileRootNotMapping(absolute));
  return { tree, issues: [] };
}

// The parser's message continues with an excerpt of the offending line, which may hold a key.
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/:\s*$/, '');
}
