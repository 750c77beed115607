/**
 * Families whose label is `thinking` under the rule: the answer needs several dependent steps
 * (a chain of calculations, a proof, a deduction, an algorithm, a diagnosis, a weighed design).
 */
import { names, type Family, type Lang, type Rand } from './compose';

const n = (r: Rand, lo: number, hi: number): number => r.int(lo, hi);

/** Word problems with three or more quantities and two or more dependent operations. */
const wordProblems: Family = {
  id: 'word-problem',
  kind: 'multi-step-math',
  label: 'thinking',
  perTemplate: 8,
  slots: (r, lang) => ({
    ...names(r, lang),
    a: n(r, 3, 40),
    b: n(r, 2, 12),
    c: n(r, 5, 90),
    d: n(r, 2, 9),
  }),
  templates: {
    en: [
      '{name} buys {a} notebooks at ${b} each and {d} pens that cost ${c} in total. She pays with a $200 bill. How much change does she get, and what does one pen cost?',
      'A tank holds {c} litres. A pipe fills it at {b} litres per minute while a leak drains {d} litres per minute. Starting from {a} litres, how long until it is full?',
      '{name} is {a} years old. {name2} is {d} times as old as {name} was {b} years ago. How old will {name2} be when {name} turns {c}?',
      'A shop sells a jacket for ${c}. It raises the price by {b}% and then offers {a}% off the new price. Is the final price higher or lower than the original, and by how much?',
      'Three workers paint a fence. {name} alone needs {a} hours, {name2} alone needs {b} hours, and {name3} needs {c} hours. If they work together, how long does the fence take?',
      'My salary is ${c}00 a month. Rent takes a third, food {a}% of what is left, and I save half of the remainder. How much do I save in a year?',
    ],
    es: [
      '{name} compra {a} cuadernos a {b} euros cada uno y {d} bolígrafos que cuestan {c} euros en total. Paga con un billete de 200. ¿Cuánto cambio recibe y cuánto cuesta cada bolígrafo?',
      'Un depósito de {c} litros se llena a {b} litros por minuto, pero una fuga pierde {d} litros por minuto. Si empieza con {a} litros, ¿en cuánto tiempo se llena?',
    ],
    fr: [
      '{name} achète {a} cahiers à {b} euros pièce et {d} stylos pour {c} euros au total. Elle paie avec un billet de 200 euros. Combien lui rend-on, et quel est le prix d’un stylo ?',
      'Un train part à 8 h et roule à {c} km/h pendant {d} heures, puis à {a} km/h pendant {b} heures. Quelle distance a-t-il parcourue et quelle est sa vitesse moyenne ?',
    ],
    de: [
      '{name} kauft {a} Hefte zu je {b} Euro und {d} Stifte für insgesamt {c} Euro. Sie bezahlt mit einem 200-Euro-Schein. Wie viel Wechselgeld bekommt sie, und was kostet ein Stift?',
      'Ein Becken fasst {c} Liter. Ein Zulauf bringt {b} Liter pro Minute, ein Leck verliert {d} Liter pro Minute. Wie lange dauert es von {a} Litern bis voll?',
    ],
    pt: [
      '{name} comprou {a} cadernos a {b} reais cada e {d} canetas por {c} reais no total. Pagou com uma nota de 200. Quanto recebeu de troco e quanto custou cada caneta?',
      'Um carro faz {c} km com {d} litros. A gasolina custa {b} reais o litro. Quanto custa uma viagem de ida e volta de {a}0 km?',
    ],
    it: [
      '{name} compra {a} quaderni a {b} euro l’uno e {d} penne per {c} euro in tutto. Paga con una banconota da 200 euro. Quanto resto riceve e quanto costa una penna?',
      'Un rubinetto riempie una vasca di {c} litri in {a} minuti, un altro in {b} minuti. Aperti insieme, in quanto tempo la riempiono?',
    ],
    ru: [
      '{name} купила {a} тетрадей по {b} рублей и {d} ручек на {c} рублей. Она заплатила купюрой в 1000 рублей. Сколько сдачи она получила и сколько стоит одна ручка?',
      'Бак вмещает {c} литров. Насос наливает {b} литров в минуту, а через течь уходит {d} литра в минуту. За сколько минут бак наполнится, если в нём уже {a} литров?',
    ],
    zh: [
      '{name}买了{a}本笔记本，每本{b}元，又买了{d}支笔，一共花了{c}元。他付了200元，应找回多少钱？每支笔多少钱？',
      '一个水池容量为{c}升，进水管每分钟注水{b}升，漏水每分钟{d}升。池中已有{a}升水，还要多久才能注满？',
    ],
    ja: [
      '{name}はノートを{a}冊（1冊{b}円）とペンを{d}本（合計{c}円）買いました。1000円札で払うと、おつりはいくらで、ペン1本はいくらですか？',
      '{c}リットルの水槽に毎分{b}リットル入れ、毎分{d}リットル漏れます。今{a}リットル入っているとき、満水まで何分かかりますか？',
    ],
    tr: [
      '{name} tanesi {b} lira olan {a} defter ve toplam {c} lira tutan {d} kalem alıyor. 200 lira veriyor. Ne kadar para üstü alır ve bir kalem kaç lira?',
    ],
    vi: [
      '{name} mua {a} quyển vở, mỗi quyển {b} nghìn đồng, và {d} cây bút hết {c} nghìn đồng. Bạn ấy trả 200 nghìn. Bạn ấy được thối lại bao nhiêu và mỗi cây bút giá bao nhiêu?',
    ],
    ar: [
      'اشترت {name} {a} دفاتر بسعر {b} ريالات للدفتر و{d} أقلام بمبلغ {c} ريالًا. دفعت 200 ريال. كم الباقي، وما ثمن القلم الواحد؟',
    ],
    hi: [
      '{name} ने {b} रुपये प्रति कॉपी के हिसाब से {a} कॉपियाँ और कुल {c} रुपये के {d} पेन खरीदे। उसने 500 रुपये दिए। उसे कितने रुपये वापस मिले और एक पेन की कीमत क्या है?',
    ],
  },
};

/**
 * The claims in each template's language (a proof asked in Hindi states its claim in Hindi; an
 * English claim inside every template taught the model English words).
 */
const CLAIMS: Record<'en', readonly string[]> & Partial<Record<Lang, readonly string[]>> = {
  en: [
    'n^3 - n is divisible by 6 for every integer n',
    'the square root of 3 is irrational',
    'there is no largest prime number',
    'the product of four consecutive integers plus one is a perfect square',
    'every tree with k vertices has k - 1 edges',
    'a^2 + b^2 >= 2ab for all real a and b',
    'the sum of the first n odd numbers is n^2',
    'any 6 people contain 3 mutual friends or 3 mutual strangers',
  ],
  es: [
    'n^3 - n es divisible entre 6 para todo entero n',
    'la raíz cuadrada de 3 es irracional',
    'no existe un número primo mayor que todos los demás',
    'la suma de los n primeros impares es n^2',
  ],
  fr: [
    'n^3 - n est divisible par 6 pour tout entier n',
    'la racine carrée de 3 est irrationnelle',
    'il n’existe pas de plus grand nombre premier',
    'la somme des n premiers nombres impairs vaut n^2',
  ],
  de: [
    'n^3 - n für jede ganze Zahl n durch 6 teilbar ist',
    'die Wurzel aus 3 irrational ist',
    'es keine größte Primzahl gibt',
    'jeder Baum mit k Knoten genau k - 1 Kanten hat',
  ],
  pt: [
    'n^3 - n é divisível por 6 para todo inteiro n',
    'a raiz quadrada de 3 é irracional',
    'não existe um maior número primo',
  ],
  it: [
    'n^3 - n è divisibile per 6 per ogni intero n',
    'la radice quadrata di 3 è irrazionale',
    'non esiste un numero primo più grande di tutti',
    'ogni albero con k vertici ha k - 1 archi',
  ],
  ru: [
    'n^3 - n делится на 6 при любом целом n',
    'корень из 3 иррационален',
    'наибольшего простого числа не существует',
    'сумма первых n нечётных чисел равна n^2',
  ],
  zh: [
    '对任意整数n，n^3 - n能被6整除',
    '根号3是无理数',
    '不存在最大的质数',
    '有k个顶点的树恰有k - 1条边',
  ],
  ja: [
    '任意の整数 n について n^3 - n は 6 で割り切れる',
    '√3 は無理数である',
    '最大の素数は存在しない',
    '最初の n 個の奇数の和は n^2 である',
  ],
  tr: [
    'her n tam sayısı için n^3 - n sayısı 6 ile bölünür',
    '√3 irrasyoneldir',
    'en büyük asal sayı yoktur',
  ],
  vi: [
    'n^3 - n chia hết cho 6 với mọi số nguyên n',
    'căn bậc hai của 3 là số vô tỉ',
    'không có số nguyên tố lớn nhất',
  ],
  ar: [
    'n^3 - n يقبل القسمة على 6 لكل عدد صحيح n',
    'الجذر التربيعي للعدد 3 عدد غير نسبي',
    'لا يوجد عدد أولي أكبر من جميع الأعداد الأولية',
  ],
  hi: [
    'हर पूर्णांक n के लिए n^3 - n, 6 से विभाज्य है',
    '3 का वर्गमूल अपरिमेय है',
    'सबसे बड़ी अभाज्य संख्या नहीं होती',
    'पहली n विषम संख्याओं का योग n^2 होता है',
  ],
};

/** Proofs and rigorous arguments, often in a single short line. */
const proofs: Family = {
  id: 'proof',
  kind: 'hard-short-proof',
  label: 'thinking',
  slots: (r, lang) => ({
    claim: r.pick(CLAIMS[lang] ?? CLAIMS.en),
  }),
  templates: {
    en: [
      'Prove that {claim}.',
      'Show rigorously that {claim}.',
      'Why is it true that {claim}? I want an argument that convinces a mathematician, not an example.',
      'Is it always the case that {claim}? Justify your answer.',
    ],
    es: [
      'Demuestra que {claim}.',
      '¿Por qué se cumple siempre que {claim}? Da un argumento riguroso.',
    ],
    fr: [
      'Démontre que {claim}.',
      'Pourquoi est-il toujours vrai que {claim} ? Donne une preuve complète.',
    ],
    de: [
      'Beweise, dass {claim}.',
      'Warum gilt immer, dass {claim}? Ich möchte eine saubere Begründung.',
    ],
    pt: ['Prove que {claim}.'],
    it: ['Dimostra che {claim}.'],
    ru: ['Докажите, что {claim}.'],
    zh: ['请证明：{claim}。'],
    ja: ['次を証明せよ：{claim}。'],
    tr: ['Şunu kanıtlayın: {claim}.'],
    vi: ['Chứng minh rằng {claim}.'],
    ar: ['أثبت أن {claim}.'],
    hi: ['सिद्ध कीजिए कि {claim}।'],
  },
};

/** Logic and deduction puzzles, including classic ones written afresh. */
const puzzles: Family = {
  id: 'puzzle',
  kind: 'hard-short-puzzle',
  label: 'thinking',
  slots: (r, lang) => ({ ...names(r, lang), k: n(r, 8, 13) }),
  templates: {
    en: [
      'There are {k} coins and one is counterfeit, either heavier or lighter. With a balance and three weighings, how do you find it and tell whether it is heavier?',
      'Three switches outside a closed room control three bulbs inside. You may enter the room once. How can you tell which switch controls which bulb?',
      '{name} says "{name2} is lying". {name2} says "{name3} is lying". {name3} says "{name} and {name2} are both lying". Who tells the truth?',
      '{name}, {name2} and {name3} finished a race. {name} was not last, {name2} finished right after {name3}, and {name3} did not win. What was the order?',
      'Which is larger, 99^100 or 100^99? Explain without a calculator.',
      'A bat and a ball cost $1.10 together and the bat costs $1.00 more than the ball. A friend says the ball costs 10 cents. Is that right?',
      'You have a 3-litre jug and a 5-litre jug and unlimited water. How do you measure exactly 4 litres?',
    ],
    es: [
      'Hay {k} monedas y una es falsa, más pesada o más ligera. Con una balanza y tres pesadas, ¿cómo la encuentras y sabes si pesa más o menos?',
      '{name}, {name2} y {name3} terminaron una carrera. {name} no fue último, {name2} llegó justo después de {name3} y {name3} no ganó. ¿En qué orden llegaron?',
    ],
    fr: [
      'Trois interrupteurs hors d’une pièce fermée commandent trois ampoules à l’intérieur. On ne peut entrer qu’une fois. Comment savoir quel interrupteur commande quelle ampoule ?',
      '{name} dit que {name2} ment, {name2} dit que {name3} ment, et {name3} dit que {name} et {name2} mentent tous les deux. Qui dit la vérité ?',
    ],
    de: [
      'Du hast einen 3-Liter- und einen 5-Liter-Krug. Wie misst du genau 4 Liter ab?',
      'Welche Zahl ist größer, 99^100 oder 100^99? Begründe ohne Taschenrechner.',
    ],
    pt: [
      'Três interruptores do lado de fora de um quarto fechado controlam três lâmpadas lá dentro. Você só pode entrar uma vez. Como descobrir qual interruptor liga cada lâmpada?',
    ],
    it: [
      'Ci sono {k} monete e una è falsa, più pesante o più leggera. Con una bilancia a due piatti e tre pesate, come la trovi?',
    ],
    ru: [
      '{name}, {name2} и {name3} пробежали забег. {name} не был последним, {name2} финишировал сразу после {name3}, а {name3} не победил. В каком порядке они финишировали?',
      'Есть {k} монет, одна фальшивая — тяжелее или легче. Как за три взвешивания на чашечных весах найти её?',
    ],
    zh: [
      '房间外有三个开关，分别控制房间里的三盏灯。你只能进房间一次，怎样判断哪个开关控制哪盏灯？',
      '有{k}枚硬币，其中一枚是假币，可能偏重也可能偏轻。用天平称三次，怎样找出假币并判断轻重？',
    ],
    ja: [
      '部屋の外に3つのスイッチがあり、中の3つの電球につながっています。部屋に入れるのは一度だけです。どのスイッチがどの電球か、どうやって見分けますか？',
    ],
    tr: [
      '{name}, "{name2} yalan söylüyor" diyor. {name2}, "{name3} yalan söylüyor" diyor. {name3} ise "{name} ve {name2} ikisi de yalan söylüyor" diyor. Kim doğruyu söylüyor?',
    ],
    vi: [
      'Có {k} đồng xu, trong đó một đồng giả nặng hơn hoặc nhẹ hơn. Dùng cân đĩa ba lần, làm sao tìm ra đồng giả?',
    ],
    ar: ['لديك إبريق سعته 3 لترات وآخر سعته 5 لترات. كيف تقيس 4 لترات بالضبط؟'],
    hi: [
      'तीन स्विच एक बंद कमरे के बाहर हैं और अंदर तीन बल्ब हैं। आप कमरे में केवल एक बार जा सकते हैं। कैसे पता करेंगे कि कौन-सा स्विच कौन-सा बल्ब जलाता है?',
    ],
  },
};

/** Short competition-style problems: few words, real work. */
const shortMath: Family = {
  id: 'short-math',
  kind: 'hard-short-math',
  label: 'thinking',
  // A prime modulus that divides no base: with m = 6 and a = 6 (or 3 and 9) the remainder is 0
  // at a glance, which the rule calls instant.
  slots: (r) => ({ a: r.pick([3, 4, 5, 6, 8, 9]), b: n(r, 11, 60), m: r.pick([7, 11, 13]) }),
  templates: {
    en: [
      'Find all integers x with x^2 + {a}x + {b} a perfect square.',
      'What is the remainder of {a}^{b} divided by {m}?',
      'How many positive integers below 1000 are divisible by {a} or {m} but not both?',
      'Count the lattice paths from (0,0) to ({a},{a}) that never go above the diagonal.',
      'Solve for real x: sqrt(x + {b}) + sqrt(x) = {m}.',
    ],
    es: [
      '¿Cuál es el resto de {a}^{b} al dividir entre {m}?',
      'Halla todos los enteros x tales que x^2 + {a}x + {b} sea un cuadrado perfecto.',
    ],
    fr: [
      'Quel est le reste de {a}^{b} dans la division par {m} ?',
      'Combien d’entiers positifs inférieurs à 1000 sont divisibles par {a} ou par {m}, mais pas par les deux ?',
    ],
    de: [
      'Welchen Rest lässt {a}^{b} bei Division durch {m}?',
      'Löse in den reellen Zahlen: sqrt(x + {b}) + sqrt(x) = {m}.',
    ],
    pt: ['Qual é o resto de {a}^{b} dividido por {m}?'],
    it: ['Qual è il resto di {a}^{b} diviso {m}?'],
    ru: [
      'Найдите остаток от деления {a}^{b} на {m}.',
      'Сколько натуральных чисел меньше 1000 делятся на {a} или на {m}, но не на оба сразу?',
    ],
    zh: ['求 {a}^{b} 除以 {m} 的余数。', '求所有整数 x，使 x^2 + {a}x + {b} 是完全平方数。'],
    ja: ['{a}^{b} を {m} で割った余りを求めよ。'],
    tr: ['{a}^{b} sayısının {m} ile bölümünden kalan kaçtır?'],
    vi: ['Tìm số dư khi chia {a}^{b} cho {m}.'],
    ar: ['ما باقي قسمة {a}^{b} على {m}؟'],
    hi: ['{a}^{b} को {m} से भाग देने पर शेषफल क्या होगा?'],
  },
};

export const THINKING_MATH_FAMILIES: readonly Family[] = [wordProblems, proofs, puzzles, shortMath];
