/**
 * Material for long-but-easy requests: e-mail threads, meeting notes, reports and source files
 * assembled from sentence banks, so that a prompt is long, full of numbers and structure, and
 * still asks only for a summary, an extraction or a mechanical edit.
 */
import type { Lang, Rand } from './compose';

const BANK: Partial<Record<Lang, readonly string[]>> = {
  en: [
    'The team met on {day} to review the {n} open items from the last release.',
    'Sales in the western stores rose {n}% compared with the same month last year.',
    'Two customers reported duplicate deliveries, and both were refunded within {n} days.',
    'The supplier confirmed that the new packaging will arrive in week {n}.',
    'Facilities asked everyone to clear the third-floor kitchen before {day}.',
    'The budget for the spring campaign stays at {n} thousand dollars.',
    'Marketing will share the draft brochure with the regional leads on {day}.',
    'Support closed {n} tickets this week, most of them about password resets.',
    'The office will be closed on {day} for the public holiday.',
    'Please send your travel receipts to finance by the end of the month.',
    'The new hire starts on {day} and will sit with the data team.',
    'Our warehouse in Leeds handled {n} pallets, a record for a single week.',
  ],
  es: [
    'El equipo se reunió el {day} para revisar los {n} puntos pendientes.',
    'Las ventas de las tiendas del norte subieron un {n}% respecto al año pasado.',
    'El proveedor confirmó que el nuevo envase llegará en la semana {n}.',
    'La oficina estará cerrada el {day} por el día festivo.',
    'Soporte cerró {n} incidencias esta semana, casi todas sobre contraseñas.',
    'El presupuesto de la campaña de primavera se mantiene en {n} mil euros.',
  ],
  fr: [
    'L’équipe s’est réunie {day} pour passer en revue les {n} points ouverts.',
    'Les ventes des magasins de l’ouest ont progressé de {n} % sur un an.',
    'Le fournisseur confirme que les nouveaux emballages arriveront en semaine {n}.',
    'Le bureau sera fermé {day} pour le jour férié.',
    'Le support a clôturé {n} tickets cette semaine, surtout des mots de passe oubliés.',
    'Le budget de la campagne de printemps reste fixé à {n} mille euros.',
  ],
  de: [
    'Das Team hat sich am {day} getroffen, um die {n} offenen Punkte durchzugehen.',
    'Der Umsatz der Filialen im Westen stieg um {n} % gegenüber dem Vorjahr.',
    'Der Lieferant bestätigt, dass die neue Verpackung in Woche {n} eintrifft.',
    'Das Büro bleibt am {day} wegen des Feiertags geschlossen.',
    'Der Support hat diese Woche {n} Tickets geschlossen, meist zu Passwörtern.',
    'Das Budget der Frühjahrskampagne bleibt bei {n} Tausend Euro.',
  ],
  pt: [
    'A equipe se reuniu na {day} para revisar os {n} itens pendentes.',
    'As vendas das lojas do sul cresceram {n}% em relação ao ano passado.',
    'O fornecedor confirmou que a nova embalagem chega na semana {n}.',
    'O escritório ficará fechado na {day} por causa do feriado.',
  ],
  ru: [
    'Команда собралась в {day}, чтобы обсудить {n} открытых вопросов.',
    'Продажи в западных магазинах выросли на {n}% по сравнению с прошлым годом.',
    'Поставщик подтвердил, что новая упаковка придёт на {n}-й неделе.',
    'Офис будет закрыт в {day} из-за праздника.',
  ],
  zh: [
    '团队在{day}开会，讨论了{n}个待办事项。',
    '西区门店的销售额同比增长了{n}%。',
    '供应商确认新包装将在第{n}周到货。',
    '办公室将在{day}因节假日关闭。',
    '客服本周处理了{n}张工单，大多是密码重置。',
    '春季推广的预算保持在{n}万元。',
    '新同事{day}入职，会和数据组坐在一起。',
  ],
  ja: [
    'チームは{day}に集まり、前回リリースの未解決項目{n}件を確認しました。',
    '西日本の店舗の売上は前年同月比で{n}%増えました。',
    '仕入れ先から、新しい包装は第{n}週に届くと連絡がありました。',
    'サポートは今週{n}件の問い合わせを処理し、多くはパスワードの再設定でした。',
    '祝日のため、オフィスは{day}に休業します。',
    '新しいメンバーは{day}から出社し、データチームに加わります。',
  ],
  hi: [
    'टीम ने {day} को पिछली रिलीज़ के {n} खुले मुद्दों की समीक्षा की।',
    'पश्चिमी दुकानों में बिक्री पिछले साल के इसी महीने की तुलना में {n}% बढ़ी।',
    'आपूर्तिकर्ता ने बताया कि नई पैकेजिंग {n}वें सप्ताह में आएगी।',
    'सहायता टीम ने इस सप्ताह {n} टिकट बंद किए, ज़्यादातर पासवर्ड से जुड़े।',
    'सार्वजनिक अवकाश के कारण दफ़्तर {day} को बंद रहेगा।',
    'नया सहकर्मी {day} से काम शुरू करेगा और डेटा टीम के साथ बैठेगा।',
  ],
  it: [
    'Il team si è riunito {day} per rivedere i {n} punti aperti dell’ultima versione.',
    'Le vendite nei negozi del nord sono salite del {n}% rispetto allo scorso anno.',
    'Il fornitore ha confermato che i nuovi imballaggi arriveranno nella settimana {n}.',
    'L’ufficio resterà chiuso {day} per la festività.',
    'L’assistenza ha chiuso {n} richieste questa settimana, quasi tutte sul reset della password.',
  ],
};

const DAYS: Partial<Record<Lang, readonly string[]>> = {
  en: ['Monday', 'Tuesday', 'Thursday', 'Friday'],
  es: ['lunes', 'martes', 'jueves', 'viernes'],
  fr: ['lundi', 'mardi', 'jeudi', 'vendredi'],
  de: ['Montag', 'Dienstag', 'Donnerstag', 'Freitag'],
  pt: ['segunda-feira', 'terça-feira', 'quinta-feira', 'sexta-feira'],
  ru: ['понедельник', 'вторник', 'четверг', 'пятницу'],
  zh: ['周一', '周二', '周四', '周五'],
  ja: ['月曜日', '火曜日', '木曜日', '金曜日'],
  hi: ['सोमवार', 'मंगलवार', 'गुरुवार', 'शुक्रवार'],
  it: ['lunedì', 'martedì', 'giovedì', 'venerdì'],
};

/** Languages with a sentence bank. */
export const PASSAGE_LANGS = Object.keys(BANK) as Lang[];

/** A text of about `sentences` sentences in paragraphs, as a notes page or an e-mail thread. */
export function longText(r: Rand, lang: Lang, sentences: number, thread = false): string {
  const bank = BANK[lang] ?? (BANK.en as readonly string[]);
  const days = DAYS[lang] ?? (DAYS.en as readonly string[]);
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (let i = 0; i < sentences; i++) {
    current.push(
      r
        .pick(bank)
        .replace('{day}', r.pick(days))
        .replace('{n}', String(r.int(2, 95))),
    );
    if (current.length >= r.int(3, 5)) {
      paragraphs.push(current.join(' '));
      current = [];
    }
  }
  if (current.length > 0) paragraphs.push(current.join(' '));
  if (!thread) return paragraphs.join('\n\n');
  return paragraphs
    .map((p, i) => `From: person${i + 1}@example.com\nSubject: Re: weekly update\n\n${p}`)
    .join('\n\n-----\n\n');
}

/** A source file of about `lines` lines: plenty of code, nothing to work out. */
export function sourceFile(r: Rand, lines: number): string {
  const out = ['import { readFileSync } from "node:fs";', ''];
  for (let f = 0; out.length < lines; f++) {
    const name = r.pick(['load', 'parse', 'format', 'render', 'save', 'check']) + f;
    out.push(`export function ${name}(input: string, options = { depth: ${r.int(1, 5)} }) {`);
    out.push(`  const parts = input.split(",").map((p) => p.trim());`);
    out.push(`  if (parts.length > ${r.int(2, 40)}) {`);
    out.push(`    return parts.slice(0, options.depth).join(";");`);
    out.push('  }');
    out.push(`  return JSON.stringify({ parts, size: parts.length * ${r.int(2, 9)} });`);
    out.push('}');
    out.push('');
  }
  return out.join('\n');
}
