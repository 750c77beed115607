/**
 * A rough language guess for rows that carry no `lang` (the dev set): the script first, then, for
 * Latin script, the language whose common function words occur most. Evaluation only: it names
 * the per-language rows of the report; the classifier never reads it.
 */
const SCRIPTS: [RegExp, string][] = [
  [/[\u3040-\u30ff]/, 'ja'],
  [/[\u4e00-\u9fff]/, 'zh'],
  [/[\uac00-\ud7af]/, 'ko'],
  [/[\u0400-\u04ff]/, 'ru'],
  [/[\u0600-\u06ff]/, 'ar'],
  [/[\u0900-\u097f]/, 'hi'],
  [/[\u0e00-\u0e7f]/, 'th'],
  [/[\u0370-\u03ff]/, 'el'],
];

const FUNCTION_WORDS: Record<string, readonly string[]> = {
  en: ['the', 'and', 'of', 'is', 'to', 'what', 'how', 'with'],
  es: ['el', 'la', 'los', 'las', 'que', 'y', 'de', 'es', 'con', 'por'],
  fr: ['le', 'la', 'les', 'et', 'des', 'est', 'une', 'que', 'pour', 'dans'],
  de: ['der', 'die', 'das', 'und', 'ist', 'mit', 'ein', 'eine', 'nicht', 'zu'],
  pt: ['o', 'os', 'as', 'e', 'um', 'uma', 'que', 'não', 'com', 'do', 'da'],
  it: ['il', 'lo', 'gli', 'e', 'che', 'di', 'un', 'una', 'per', 'è'],
  tr: ['ve', 'bir', 'bu', 'için', 'ile', 'mi', 'ne', 'da', 'de'],
  vi: ['và', 'của', 'là', 'một', 'có', 'không', 'những', 'được'],
  ro: ['și', 'este', 'un', 'o', 'în', 'care', 'la', 'cu'],
  sw: ['na', 'ya', 'wa', 'kwa', 'ni', 'za', 'kila'],
};

export function guessLanguage(text: string): string {
  const sample = text.slice(0, 2000);
  for (const [re, lang] of SCRIPTS) if (re.test(sample)) return lang;
  const words = sample.toLowerCase().split(/[^\p{L}']+/u);
  let best = 'en';
  let bestHits = 0;
  for (const [lang, list] of Object.entries(FUNCTION_WORDS)) {
    const set = new Set(list);
    const hits = words.filter((w) => set.has(w)).length;
    if (hits > bestHits) {
      best = lang;
      bestHits = hits;
    }
  }
  return best;
}
