import { GROUP_COUNT } from './cue-table';
import { TokenState } from './token-state';
import type { ScanBuffers } from './scan-buffers';
import { logTrigrams, sumTrigrams, type TrigramCounts } from './char-trigrams';
import * as tables from './text-tables';

/**
 * The tables' constants and hash functions as this module's own constants: an imported binding
 * compiles (CommonJS) to a property of the exporting module's object, which optimised code reads
 * and type-checks again at every use inside a loop; a module-level constant it reads once.
 */
const {
  CLASS,
  DIGIT,
  FNV_OFFSET,
  FNV_PRIME,
  FOLD,
  LATIN,
  NEWLINE,
  NUMBER_TOKEN,
  SEP,
  SOLO,
  SPACE,
  WORD,
  isJoiner,
  mix,
} = tables;

/** What the scan of one text should produce besides its structure and cues. */
export interface ScanRequest {
  /** Build the n-gram count vectors (left in the buffers for the caller to collect). */
  materialise: boolean;
  /** Sum these character-trigram weights over the task's trigrams (the serving path). */
  charWeights: Float32Array | null;
  /** Records each n-gram bucket's text, for explanations (slow path only). */
  trace?: Map<number, string>;
}

/** What one scan finds in a text: counts over the whole text, or over its task blocks. */
export class Scan implements TrigramCounts {
  cues = new Int32Array(GROUP_COUNT);
  /**
   * Distinct word n-gram and character-trigram buckets touched outside material blocks (left in
   * the buffers).
   */
  wordGrams = 0;
  charGrams = 0;
  /** Character-trigram occurrences logged (when materialising). */
  charLogged = 0;
  /**
   * Σ weight over character-trigram occurrences (when weights are given), and their number,
   * outside material blocks.
   */
  charDot = 0;
  charTotal = 0;
  lines = 0;
  indentedLines = 0;
  operators = 0;
  latexCommands = 0;
  dollars = 0;
  maxDepth = 0;
  fences = 0;
  examples = 0;
  docChars = 0;
  specChars = 0;
  latinLetters = 0;
  otherLetters = 0;
  /** Characters of scripts written without spaces (Han, kana…), each a token of its own. */
  soloChars = 0;
  codeSymbols = 0;
  // Over the task blocks (outside quoted passages):
  passageChars = 0;
  taskTokens = 0;
  taskNumbers = 0;
  taskQuestions = 0;
  sentences = 0;

  /** Back to an empty scan: one object serves every scan (a decision leaves no garbage here). */
  reset(): void {
    this.cues.fill(0);
    this.wordGrams = 0;
    this.charGrams = 0;
    this.charLogged = 0;
    this.charDot = 0;
    this.charTotal = 0;
    this.lines = 0;
    this.indentedLines = 0;
    this.operators = 0;
    this.latexCommands = 0;
    this.dollars = 0;
    this.maxDepth = 0;
    this.fences = 0;
    this.examples = 0;
    this.docChars = 0;
    this.specChars = 0;
    this.latinLetters = 0;
    this.otherLetters = 0;
    this.soloChars = 0;
    this.codeSymbols = 0;
    this.passageChars = 0;
    this.taskTokens = 0;
    this.taskNumbers = 0;
    this.taskQuestions = 0;
    this.sentences = 0;
  }
}

/** `>>>`, `Example…` or `For example…` at a line start: the examples of a docstring. */
function startsExamples(text: string, i: number): boolean {
  return (
    text.startsWith('>>>', i) ||
    text.startsWith('Example', i) ||
    text.startsWith('example', i) ||
    text.startsWith('For example', i) ||
    text.startsWith('for example', i)
  );
}

/** Line, block and docstring state of a scan. */
class LayoutState {
  blocks = 1;
  block = 0;
  blankSinceNewline = false;
  blockHasContent = false;
  lineStart = true;
  indent = 0;
  depth = 0;
  inDoc = false;
  inExamples = false;

  reset(): void {
    this.blocks = 1;
    this.block = 0;
    this.blankSinceNewline = false;
    this.blockHasContent = false;
    this.lineStart = true;
    this.indent = 0;
    this.depth = 0;
    this.inDoc = false;
    this.inExamples = false;
  }
}

/**
 * The state of a scan, one set for every scan: scanning is synchronous and a scan's result is
 * read before the next one starts (see {@link scanText}).
 */
const SCAN = new Scan();
const LAYOUT = new LayoutState();
const TOKENS = new TokenState();

/**
 * One pass over the examined text: structure (blocks separated by blank lines, with numbers,
 * questions, sentences, code symbols and cue hits counted per block so that a quoted passage
 * does not speak for the task), word tokens with their cues, and the n-gram counts. The n-gram
 * counts stay in `buf` for {@link ScanBuffers.collectWords} and friends.
 *
 * The result is the one shared {@link Scan}: read it before the next scan.
 */
export function scanText(text: string, buf: ScanBuffers, request: ScanRequest): Scan {
  const n = text.length;
  const ngrams = request.materialise || request.charWeights !== null;
  const tok = TOKENS;
  tok.reset(buf, ngrams, request.trace);
  const out = SCAN;
  out.reset();
  const lay = LAYOUT;
  lay.reset();
  buf.startBlock(0, 0);
  buf.blockWordStart[0] = 0;
  out.lines = n > 0 ? 1 : 0;
  scanCharacters(text, buf, out, lay, tok);
  buf.blockStart[lay.blocks] = n;
  summariseBlocks(buf, out, lay.blocks);
  if (ngrams) {
    out.wordGrams = buf.countWords(lay.blocks, tok.logged);
    if (request.materialise) {
      logTrigrams(text, buf, lay.blocks, out, request.trace, tok.wordAt);
      out.charGrams = buf.dropMaterialChars(out.charGrams, lay.blocks, out.charLogged);
    }
    if (request.charWeights !== null) sumTrigrams(text, buf, lay.blocks, request.charWeights, out);
  }
  return out;
}

/**
 * The per-character pass of {@link scanText} for structure and words (the character trigrams
 * have theirs, {@link sumTrigrams}), a function of its own: what runs once per text after it
 * (taking material blocks back out, the block summary) meets branches a short prompt never
 * takes, and a deoptimisation there must not throw away this loop's optimised code. When it
 * did, the next long text ran the loop through on-stack replacement from baseline code, and some
 * processes stayed that way (scanText left in baseline, every call entering the OSR code: up to
 * twice the decision time).
 */
function scanCharacters(
  text: string,
  buf: ScanBuffers,
  out: Scan,
  lay: LayoutState,
  tok: TokenState,
): void {
  const cls = CLASS;
  const fold = FOLD;
  const n = text.length;
  let h = FNV_OFFSET;
  let tokenStart = -1;
  let numberRun = false;
  let latinLetters = 0;
  let otherLetters = 0;

  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    const k = cls[c];

    // A run of letters, in a loop of its own: the line, block and docstring state is the same
    // for each letter of it (only a separator or a line break changes it), so it is read once.
    if (k === WORD) {
      if (tokenStart < 0) tokenStart = i;
      const from = i;
      let latin = 0;
      do {
        h = Math.imul(h ^ fold[c], FNV_PRIME);
        latin += LATIN[c];
        c = ++i < n ? text.charCodeAt(i) : 0;
      } while (cls[c] === WORD);
      const letters = i - from;
      i--; // the character after the run is read again by the next turn
      latinLetters += latin;
      otherLetters += letters - latin;
      content(text, from, letters, out, lay);
      continue;
    }

    // Words: letters (with digits and inner ' or - after the first letter), numbers, and one
    // token per character of scripts written without spaces.
    if (k === DIGIT) {
      if (tokenStart < 0) {
        tokenStart = i;
        numberRun = true;
        // A number starts at a digit not preceded by a letter or by another number's digits.
        const p = i > 0 ? text.charCodeAt(i - 1) : 0;
        if (!((p === 0x2e || p === 0x2c) && i > 1 && cls[text.charCodeAt(i - 2)] === DIGIT))
          buf.blockNumbers[lay.block]++;
      } else if (!numberRun) {
        h = Math.imul(h ^ c, FNV_PRIME);
      }
    } else {
      if (tokenStart >= 0) {
        let ends = true;
        if (numberRun) {
          // 1,200 and 3.5 are one number.
          ends = !(
            (c === 0x2e || c === 0x2c) &&
            i + 1 < n &&
            cls[text.charCodeAt(i + 1)] === DIGIT
          );
        } else if (isJoiner(text, i, c)) {
          h = Math.imul(h ^ fold[c], FNV_PRIME);
          ends = false;
        }
        if (ends) {
          tok.emit(numberRun ? NUMBER_TOKEN : mix(h), text, tokenStart, i);
          tokenStart = -1;
          numberRun = false;
          h = FNV_OFFSET;
        }
      }
      if (k === SOLO) tok.emit(mix(Math.imul(FNV_OFFSET ^ c, FNV_PRIME)), text, i, i + 1);
    }

    // Structure.
    if (k === NEWLINE) {
      newline(buf, out, lay, tok, i);
      continue;
    }
    if (k === SPACE) {
      if (lay.lineStart) lay.indent += c === 0x09 ? 4 : 1;
      continue;
    }
    content(text, i, 1, out, lay);
    if (k === SOLO) {
      otherLetters++;
      out.soloChars++;
    } else if (k === SEP) {
      separator(text, i, c, buf, out, lay, tok, tokenStart < 0);
    }
  }
  if (tokenStart >= 0) tok.emit(numberRun ? NUMBER_TOKEN : mix(h), text, tokenStart, n);
  out.latinLetters = latinLetters;
  out.otherLetters = otherLetters;
}

/**
 * `count` characters of content (neither whitespace nor a line break) from `i` on: the line and
 * the block have content, a docstring counts them.
 */
function content(text: string, i: number, count: number, out: Scan, lay: LayoutState): void {
  if (lay.lineStart) {
    if (lay.indent >= 4) out.indentedLines++;
    lay.lineStart = false;
    // A docstring's specification ends where its examples begin.
    if (lay.inDoc && !lay.inExamples && startsExamples(text, i)) lay.inExamples = true;
  }
  lay.blankSinceNewline = false;
  lay.blockHasContent = true;
  if (lay.inDoc) {
    out.docChars += count;
    if (!lay.inExamples) out.specChars += count;
  }
}

/** A line break: counts the line, ends the sentence chain, opens a block after a blank line. */
function newline(buf: ScanBuffers, out: Scan, lay: LayoutState, tok: TokenState, i: number): void {
  out.lines++;
  tok.chain = 0;
  if (lay.blankSinceNewline && lay.blockHasContent && lay.blocks < buf.maxBlocks) {
    buf.startBlock(lay.blocks, i);
    buf.blockWordStart[lay.blocks] = tok.logged;
    lay.block = lay.blocks++;
    tok.block = lay.block;
    tok.cueBase = lay.block * GROUP_COUNT;
    lay.blockHasContent = false;
  }
  lay.blankSinceNewline = true;
  lay.lineStart = true;
  lay.indent = 0;
}

/** Punctuation and symbols: operators, LaTeX, nesting, code symbols, fences, sentence ends. */
function separator(
  text: string,
  i: number,
  c: number,
  buf: ScanBuffers,
  out: Scan,
  lay: LayoutState,
  tok: TokenState,
  betweenTokens: boolean,
): void {
  const n = text.length;
  const b = lay.block;
  switch (c) {
    case 0x2b: // +
    case 0x2a: // *
    case 0x2f: // /
    case 0x3d: // =
    case 0x5e: // ^
    case 0x25: // %
    case 0xd7: // ×
    case 0xf7: // ÷
    case 0x2212: // −
    case 0x2264: // ≤
    case 0x2265: // ≥
      out.operators++;
      if (c === 0x3d || c === 0x2a) buf.blockCodeSymbols[b]++;
      break;
    case 0x2d: // - before a digit is a minus sign
      if (i + 1 < n && CLASS[text.charCodeAt(i + 1)] === DIGIT) out.operators++;
      break;
    case 0x3c: // <
    case 0x3e: // >
      out.operators++;
      if (c === 0x3e && text.startsWith('>>', i + 1)) out.examples++;
      break;
    case 0x5c: // \command
      if (i + 1 < n && CLASS[text.charCodeAt(i + 1)] === WORD) out.latexCommands++;
      break;
    case 0x24: // $
      out.dollars++;
      break;
    case 0x28: // (
    case 0x5b: // [
    case 0x7b: // {
      out.codeSymbols++;
      buf.blockCodeSymbols[b]++;
      if (++lay.depth > out.maxDepth) out.maxDepth = lay.depth;
      break;
    case 0x29:
    case 0x5d:
    case 0x7d:
      out.codeSymbols++;
      buf.blockCodeSymbols[b]++;
      if (lay.depth > 0) lay.depth--;
      break;
    case 0x3b: // ;
    case 0x5f: // _
      out.codeSymbols++;
      buf.blockCodeSymbols[b]++;
      break;
    case 0x60: // ```
      if (text.startsWith('```', i) && (i === 0 || text.charCodeAt(i - 1) !== 0x60)) {
        out.fences++;
        buf.blockFence[b] = 1;
      }
      break;
    case 0x22: // """
    case 0x27: // '''
      if (
        i + 2 < n &&
        text.charCodeAt(i + 1) === c &&
        text.charCodeAt(i + 2) === c &&
        text.charCodeAt(i - 1) !== c
      ) {
        lay.inDoc = !lay.inDoc;
        lay.inExamples = false;
      }
      break;
    case 0x3f: // ?
    case 0xff1f: // ？
    case 0x061f: // ؟
      buf.blockQuestions[b]++;
      buf.blockSentences[b]++;
      tok.chain = 0;
      break;
    case 0x2e: // .
    case 0x21: // !
      if (i + 1 >= n || CLASS[text.charCodeAt(i + 1)] >= SPACE) buf.blockSentences[b]++;
      if (betweenTokens) tok.chain = 0;
      break;
    case 0x3002: // 。
    case 0xff01: // ！
      buf.blockSentences[b]++;
      tok.chain = 0;
      break;
  }
}

/**
 * A block is long at {@link LONG_BLOCK_CHARS} characters or {@link LONG_BLOCK_TOKENS} tokens
 * (scripts without spaces have a token per character: 300 characters of Chinese say what 1,000
 * of English do); a text is long at twice that.
 */
const LONG_BLOCK_CHARS = 300;
const LONG_BLOCK_TOKENS = 100;

/**
 * Material is what a request hands over to be worked on (notes, an e-mail thread, a pasted
 * file), not the task: in a text of several blocks, a long block, and in a long text every
 * block between the first and the last (the task is stated at the start or the end). When every
 * block is material, the shortest is the task. The n-grams leave material out, so the words of
 * the same notes under a summary or under an analysis do not outvote the task's. A passage is
 * material that is prose (not code): the task counts (numbers, questions, tokens, sentences,
 * cues) sum the other blocks.
 */
function summariseBlocks(buf: ScanBuffers, out: Scan, blocks: number): void {
  const start = buf.blockStart;
  let tokens = 0;
  for (let j = 0; j < blocks; j++) tokens += buf.blockTokens[j];
  const longText =
    start[blocks] - start[0] >= 2 * LONG_BLOCK_CHARS || tokens >= 2 * LONG_BLOCK_TOKENS;
  let shortest = 0;
  let materialBlocks = 0;
  for (let j = 0; j < blocks; j++) {
    const len = start[j + 1] - start[j];
    const long = len >= LONG_BLOCK_CHARS || buf.blockTokens[j] >= LONG_BLOCK_TOKENS;
    const material = blocks > 1 && (long || (longText && j > 0 && j < blocks - 1));
    buf.blockMaterial[j] = material ? 1 : 0;
    if (material) materialBlocks++;
    if (len < start[shortest + 1] - start[shortest]) shortest = j;
  }
  if (materialBlocks === blocks && blocks > 0) buf.blockMaterial[shortest] = 0;
  for (let j = 0; j < blocks; j++) {
    const len = start[j + 1] - start[j];
    const prose = buf.blockFence[j] === 0 && buf.blockCodeSymbols[j] < len * 0.04;
    buf.blockPassage[j] = buf.blockMaterial[j] === 1 && prose ? 1 : 0;
    if (buf.blockPassage[j] === 1) out.passageChars += len;
  }
  const cues = out.cues;
  for (let j = 0; j < blocks; j++) {
    if (buf.blockPassage[j] === 1) continue;
    out.taskNumbers += buf.blockNumbers[j];
    out.taskQuestions += buf.blockQuestions[j];
    out.taskTokens += buf.blockTokens[j];
    out.sentences += buf.blockSentences[j];
    for (let g = 0, base = j * GROUP_COUNT; g < GROUP_COUNT; g++)
      cues[g] += buf.blockCues[base + g];
  }
}
