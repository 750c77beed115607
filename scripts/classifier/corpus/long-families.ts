/**
 * Long-but-easy requests (`instant`: the length is material, the task is a summary, an
 * extraction, a classification or a mechanical edit) and long-and-hard ones (`thinking`: the
 * same kind of material with a task that needs several steps).
 */
import type { Family } from './compose';
import { longText, sourceFile } from './passages';

const passage =
  (sentences: [number, number], thread = false): Family['slots'] =>
  (r, lang) => ({
    text: longText(r, lang, r.int(sentences[0], sentences[1]), thread),
  });

const summarise: Family = {
  id: 'long-summary',
  kind: 'hard-long-summary',
  label: 'instant',
  perTemplate: 8,
  slots: passage([8, 30], true),
  templates: {
    en: [
      'Summarise this e-mail thread in three bullet points:\n\n{text}',
      '{text}\n\nCan you give me the gist of the above in two sentences?',
      'TL;DR please:\n\n{text}',
    ],
    es: [
      'Resume este hilo de correos en tres puntos:\n\n{text}',
      '{text}\n\nDame un resumen de dos frases.',
    ],
    fr: [
      'Résume ce fil de discussion en trois points :\n\n{text}',
      '{text}\n\nFais-moi un résumé en deux phrases.',
    ],
    de: [
      'Fasse diesen E-Mail-Verlauf in drei Stichpunkten zusammen:\n\n{text}',
      '{text}\n\nWorum geht es hier, in zwei Sätzen?',
    ],
    pt: ['Resuma esta troca de e-mails em três tópicos:\n\n{text}'],
    ru: ['Кратко перескажи эту переписку в трёх пунктах:\n\n{text}'],
    zh: ['请用三条要点总结下面的邮件往来：\n\n{text}'],
  },
};

const extract: Family = {
  id: 'long-extract',
  kind: 'hard-long-extract',
  label: 'instant',
  perTemplate: 8,
  slots: passage([6, 24]),
  templates: {
    en: [
      '{text}\n\nWhich days are mentioned above? List them.',
      'From the notes below, pull out every percentage and what it refers to.\n\n{text}',
      'Here are the meeting notes:\n\n{text}\n\nWhen does the new hire start?',
      '{text}\n\nIs the tone of these notes positive, negative or neutral?',
    ],
    es: [
      '{text}\n\n¿Qué días se mencionan en el texto?',
      'Extrae todos los porcentajes de estas notas:\n\n{text}',
    ],
    fr: [
      '{text}\n\nQuels jours sont mentionnés ci-dessus ?',
      'Relève tous les pourcentages de ces notes :\n\n{text}',
    ],
    de: [
      '{text}\n\nWelche Wochentage werden oben genannt?',
      'Zieh alle Prozentangaben aus diesen Notizen heraus:\n\n{text}',
    ],
    pt: ['{text}\n\nQuais dias da semana aparecem no texto?'],
    ru: ['{text}\n\nКакие дни недели упоминаются в тексте?'],
    zh: ['{text}\n\n上文提到了哪几天？'],
  },
};

const mechanicalCode: Family = {
  id: 'long-code-edit',
  kind: 'hard-long-code-edit',
  label: 'instant',
  perTemplate: 6,
  slots: (r) => ({ file: sourceFile(r, r.int(30, 90)) }),
  templates: {
    en: [
      'Add an Apache-2.0 licence header to the top of this file:\n\n```ts\n{file}\n```',
      'Reformat this file with two-space indentation and no trailing spaces:\n\n{file}',
      '```ts\n{file}\n```\n\nList the names of the exported functions.',
      'Add a one-line JSDoc comment above each function in this file:\n\n{file}',
    ],
    es: ['Añade una cabecera de licencia MIT al principio de este archivo:\n\n{file}'],
    fr: ['Ajoute un en-tête de licence MIT en haut de ce fichier :\n\n{file}'],
    de: ['Füge oben in diese Datei einen MIT-Lizenzkopf ein:\n\n{file}'],
    zh: ['请在这个文件开头加上 MIT 许可证声明：\n\n{file}'],
  },
};

/** The same long material, with a task that needs a chain of steps. */
const longHard: Family = {
  id: 'long-hard',
  kind: 'long-analysis',
  label: 'thinking',
  perTemplate: 6,
  slots: (r, lang) => ({
    text: longText(r, lang, r.int(8, 24)),
    file: sourceFile(r, r.int(30, 70)),
  }),
  templates: {
    en: [
      '{text}\n\nUsing the figures above, work out which change most plausibly explains the sales growth, rule out the alternatives, and say what you would check next.',
      '```ts\n{file}\n```\n\nRefactor this module so parsing and formatting are separate, keep behaviour identical, and write property tests proving it.',
      '{file}\n\nThe second function sometimes returns malformed JSON under load. Trace the cause and propose a fix with tests.',
    ],
    es: [
      '{text}\n\nCon estas cifras, deduce qué cambio explica mejor el crecimiento de ventas y descarta las alternativas.',
    ],
    fr: [
      '{text}\n\nÀ partir de ces chiffres, déduis quel changement explique le mieux la hausse des ventes et écarte les autres hypothèses.',
    ],
    de: [
      '{text}\n\nLeite aus diesen Zahlen ab, welche Änderung das Umsatzwachstum am besten erklärt, und schließe die Alternativen aus.',
    ],
  },
};

export const LONG_FAMILIES: readonly Family[] = [summarise, extract, mechanicalCode, longHard];
