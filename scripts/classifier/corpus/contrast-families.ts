/**
 * Fourth round (issue 18): pairs that share their frame and differ in the task, so that the frame
 * decides nothing. Held-out evaluation found the frame deciding: "write a function in Go that …"
 * went to thinking even when the function returns a square (`hard-code-trivial` 0.86). Each
 * family below has a sibling in the other tier with the same frame:
 * - one-liners in the frames of `algorithm` (instant) beside `algorithm` itself (thinking);
 * - Chinese and Hindi short problems and one-operation sums, more wordings per idea, where a
 *   held-out template still had no sibling in its language.
 * Labels follow `data/tiering/README.md`; written from the rule, without reading dev prompts.
 */
import { names, type Family, type Lang } from './compose';

const CODE_LANGS = ['Python', 'Java', 'Go', 'TypeScript', 'C++', 'Rust', 'JavaScript'];

/** One-line tasks, written to read after the same connectives as `ALGORITHMS_BY_LANG`. */
const ONE_LINE_TASKS: Partial<Record<Lang, readonly string[]>> = {
  en: [
    'returns the larger of two numbers',
    'checks whether a number is even',
    'returns a string in upper case',
    'returns the last element of a list',
    'adds 1 to every element of a list',
  ],
  es: [
    'devuelva el mayor de dos números',
    'compruebe si un número es par',
    'devuelva una cadena en mayúsculas',
    'devuelva el último elemento de una lista',
  ],
  fr: [
    'renvoie le plus grand de deux nombres',
    'vérifie si un nombre est pair',
    'met une chaîne en majuscules',
    'renvoie le dernier élément d’une liste',
  ],
  de: [
    'die größere von zwei Zahlen zurückgibt',
    'prüft, ob eine Zahl gerade ist',
    'einen String in Großbuchstaben zurückgibt',
    'das letzte Element einer Liste liefert',
  ],
  pt: [
    'devolva o maior de dois números',
    'verifique se um número é par',
    'devolva uma string em maiúsculas',
  ],
  it: [
    'restituisca il maggiore di due numeri',
    'controlli se un numero è pari',
    'restituisca una stringa in maiuscolo',
    'restituisca l’ultimo elemento di una lista',
  ],
  ru: [
    'возвращает большее из двух чисел',
    'проверяет, чётное ли число',
    'переводит строку в верхний регистр',
    'возвращает последний элемент списка',
  ],
  zh: [
    '返回两个数中较大的那个',
    '判断一个数是不是偶数',
    '把字符串转成大写后返回',
    '返回列表的最后一个元素',
  ],
  ja: [
    '2 つの数のうち大きいほうを返す',
    '数が偶数かどうかを判定する',
    '文字列を大文字にして返す',
    'リストの最後の要素を返す',
  ],
  hi: [
    'दो संख्याओं में से बड़ी संख्या लौटाए',
    'जाँचे कि कोई संख्या सम है या नहीं',
    'किसी स्ट्रिंग को बड़े अक्षरों में लौटाए',
    'किसी लिस्ट का आख़िरी तत्व लौटाए',
  ],
};

/** The frames of `algorithm`, with a one-line task: instant. */
const oneLinersInAlgorithmFrames: Family = {
  id: 'one-liner-frame',
  kind: 'hard-code-trivial',
  label: 'instant',
  perTemplate: 4,
  slots: (r, lang) => ({
    task: r.pick(ONE_LINE_TASKS[lang] ?? (ONE_LINE_TASKS.en as readonly string[])),
    code: r.pick(CODE_LANGS),
  }),
  templates: {
    en: ['Write a {code} function that {task}.', 'Give me a one-line {code} function that {task}.'],
    es: ['Escribe una función en {code} que {task}.'],
    fr: ['Écris une fonction {code} qui {task}.'],
    de: ['Schreibe eine {code}-Funktion, die {task}.'],
    pt: ['Escreva uma função em {code} que {task}.'],
    it: ['Scrivi una funzione in {code} che {task}.'],
    ru: ['Напиши функцию на {code}, которая {task}.'],
    zh: ['用{code}写一个函数，要求：{task}。'],
    ja: ['{code}で次の関数を書いてください：{task}。'],
    hi: ['{code} में एक फ़ंक्शन लिखिए जो {task}।'],
  },
};

/** Short problems in Chinese and Hindi: more wordings of ideas that had one or two. */
const shortProblems: Family = {
  id: 'short-problem-frame',
  kind: 'hard-short-math',
  label: 'thinking',
  perTemplate: 5,
  slots: (r) => ({
    a: r.pick([2, 3, 7, 8]),
    e: r.int(21, 99),
    n: r.int(5, 12),
    k: r.int(3, 6),
    f: r.int(3, 9) * 10,
  }),
  templates: {
    zh: [
      '方程 x^2 - y^2 = {f} 有多少组正整数解？',
      '从1到1000中，既不是{k}的倍数也不是7的倍数的数有多少个？',
      '{n}个人排成一排，其中甲乙两人不能相邻，一共有多少种排法？',
      '{a}^{e} 除以 10 余几？写出推理。',
    ],
    hi: [
      'x^2 - y^2 = {f} के कितने धनात्मक पूर्णांक हल हैं?',
      '1 से 1000 तक कितनी संख्याएँ न {k} से विभाज्य हैं न 7 से?',
      '{n} लोगों को एक पंक्ति में खड़ा करना है, पर दो ख़ास लोग साथ-साथ नहीं खड़े हो सकते। कितने तरीके हैं?',
      '{a}^{e} को 10 से भाग देने पर शेष कितना बचेगा? तर्क सहित बताइए।',
    ],
    ja: ['x^2 - y^2 = {f} を満たす正の整数の組はいくつありますか？'],
  },
};

/** Puzzles in Chinese and Hindi: further wordings of weighing and labelling ideas. */
const shortPuzzles: Family = {
  id: 'short-puzzle-frame',
  kind: 'hard-short-puzzle',
  label: 'thinking',
  perTemplate: 4,
  slots: (r, lang) => ({ ...names(r, lang), c: r.pick([8, 9, 12]) }),
  templates: {
    zh: [
      '{c}个小球中有一个比别的重，用没有砝码的天平最少称几次一定能找出来？说明方法。',
      '{name}说：“{name2}在说谎。”{name2}说：“{name3}在说谎。”{name3}说：“{name}和{name2}都在说谎。”到底谁说了真话？',
      '两根不均匀的香各烧一小时，怎样用它们量出45分钟？',
    ],
    hi: [
      '{c} गेंदों में से एक बाकी से भारी है। बिना बाट वाले तराज़ू पर कम से कम कितनी बार तौलकर उसे पक्का ढूँढ सकते हैं? तरीका बताइए।',
      '{name} कहता है: "{name2} झूठ बोल रहा है।" {name2} कहता है: "{name3} झूठ बोल रहा है।" {name3} कहता है: "{name} और {name2} दोनों झूठ बोल रहे हैं।" सच कौन बोल रहा है?',
      'दो असमान रूप से जलने वाली अगरबत्तियाँ एक-एक घंटे में जलती हैं। इनसे ठीक 45 मिनट कैसे नापेंगे?',
    ],
  },
};

/** One-operation sums in Chinese and Hindi, worded like the puzzles' and problems' stories. */
const oneOperation: Family = {
  id: 'one-operation-frame',
  kind: 'hard-math-trivial',
  label: 'instant',
  perTemplate: 5,
  slots: (r, lang) => ({ ...names(r, lang), a: r.int(5, 90), b: r.int(2, 40) }),
  templates: {
    zh: [
      '{name}有{a}元，花了{b}元，还剩多少元？',
      '一个班有{a}个男生和{b}个女生，一共多少人？',
      '{name}每天读{b}页，{a}天能读多少页？',
    ],
    hi: [
      '{name} के पास {a} रुपये थे, {b} रुपये और मिले। अब कितने हैं?',
      'एक कक्षा में {a} लड़के और {b} लड़कियाँ हैं। कुल कितने बच्चे हैं?',
      '{name} रोज़ {b} पन्ने पढ़ता है। {a} दिनों में कितने पन्ने पढ़ेगा?',
    ],
    ja: ['{name}さんは{a}円持っていて、{b}円使いました。残りはいくらですか？'],
  },
};

export const CONTRAST_FAMILIES: readonly Family[] = [
  oneLinersInAlgorithmFrames,
  shortProblems,
  shortPuzzles,
  oneOperation,
];
