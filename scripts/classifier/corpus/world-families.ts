/**
 * More templates outside English, for the kinds where the first families were thin: puzzles and
 * planning (thinking), one-operation maths, lookups and extraction (instant).
 */
import { names, type Family } from './compose';

const puzzlesWorld: Family = {
  id: 'puzzle-world',
  kind: 'hard-short-puzzle',
  label: 'thinking',
  slots: (r, lang) => ({ ...names(r, lang), k: r.int(3, 6) }),
  templates: {
    de: [
      '{name}, {name2} und {name3} sitzen nebeneinander. {name} sitzt nicht am Rand, {name2} sitzt links von {name3}. Wer sitzt wo? Begründe jeden Schritt.',
      'Ein Bauer muss einen Wolf, eine Ziege und einen Kohlkopf über einen Fluss bringen; das Boot trägt nur ihn und ein Teil. Wie schafft er es?',
    ],
    fr: [
      '{name}, {name2} et {name3} sont assis en ligne. {name} n’est pas au bout, {name2} est à gauche de {name3}. Qui est où ? Justifie chaque étape.',
      'On a {k} boîtes étiquetées toutes faussement : pommes, oranges, mélange. En tirant un seul fruit, comment corriger toutes les étiquettes ?',
    ],
    es: [
      '{name}, {name2} y {name3} están sentados en fila. {name} no está en un extremo y {name2} está a la izquierda de {name3}. ¿Quién está dónde? Razona cada paso.',
      'Tres cajas están mal etiquetadas: manzanas, naranjas y mezcla. Sacando una sola fruta, ¿cómo corriges todas las etiquetas?',
    ],
    ru: [
      'Три коробки подписаны неверно: яблоки, апельсины и смесь. Достав один фрукт, как исправить все надписи?',
    ],
    zh: [
      '{name}、{name2}和{name3}坐成一排。{name}不坐在两端，{name2}坐在{name3}左边。请推理出每个人的位置。',
      '三个盒子的标签全部贴错了：苹果、橘子、混合。只拿出一个水果，怎样改正所有标签？',
    ],
    ja: [
      '3つの箱のラベルはすべて間違っています（りんご、みかん、混合）。果物を1つだけ取り出して、すべてのラベルを正すにはどうしますか？',
    ],
    vi: [
      '{name}, {name2} và {name3} ngồi thành hàng. {name} không ngồi ở đầu, {name2} ngồi bên trái {name3}. Ai ngồi ở đâu? Hãy lập luận từng bước.',
    ],
    hi: ['तीन डिब्बों पर गलत लेबल लगे हैं: सेब, संतरा और मिश्रित। केवल एक फल निकालकर सभी लेबल कैसे ठीक करेंगे?'],
    pt: [
      'Três caixas estão com os rótulos trocados: maçãs, laranjas e mistura. Tirando uma só fruta, como corrigir todos os rótulos?',
    ],
    it: [
      'Tre scatole hanno tutte l’etichetta sbagliata: mele, arance, miste. Estraendo un solo frutto, come correggi tutte le etichette?',
    ],
    tr: [
      'Üç kutunun etiketi yanlış: elma, portakal, karışık. Tek bir meyve çekerek tüm etiketleri nasıl düzeltirsin?',
    ],
    ar: [
      'ثلاثة صناديق كلها بملصقات خاطئة: تفاح، برتقال، مختلط. بسحب فاكهة واحدة فقط، كيف تصحح كل الملصقات؟',
    ],
  },
};

const planningWorld: Family = {
  id: 'planning-world',
  kind: 'analysis-planning',
  label: 'thinking',
  slots: (r) => ({ p: r.int(4, 9), h: r.int(2, 5) }),
  templates: {
    de: [
      'Plane eine Woche Schichtdienst für {p} Pflegekräfte: jede Schicht braucht zwei Personen, niemand arbeitet zwei Nächte hintereinander, und jeder hat {h} freie Tage. Gib einen Plan an und zeige, dass er alle Bedingungen erfüllt.',
    ],
    fr: [
      'Organise une semaine de gardes pour {p} infirmiers : deux personnes par garde, personne ne fait deux nuits de suite, chacun a {h} jours de repos. Propose un planning et montre qu’il respecte toutes les contraintes.',
    ],
    es: [
      'Organiza una semana de turnos para {p} enfermeras: dos personas por turno, nadie hace dos noches seguidas y cada una libra {h} días. Propón un plan y demuestra que cumple todo.',
    ],
    zh: [
      '为{p}名护士排一周的班：每班两人，任何人不能连续两晚值夜班，每人休息{h}天。给出排班表并说明它满足所有条件。',
    ],
    ja: [
      '看護師{p}人の1週間のシフトを組んでください。各シフト2人、2晩連続の夜勤は禁止、各自{h}日休み。条件をすべて満たすことを示してください。',
    ],
    vi: [
      'Xếp lịch trực một tuần cho {p} y tá: mỗi ca hai người, không ai trực hai đêm liền, mỗi người nghỉ {h} ngày. Đưa ra lịch và chứng minh nó thỏa mãn mọi điều kiện.',
    ],
    ru: [
      'Составь график дежурств на неделю для {p} медсестёр: по двое в смену, никто не дежурит две ночи подряд, у каждой {h} выходных. Покажи, что все условия выполнены.',
    ],
    pt: [
      'Monte uma escala semanal para {p} enfermeiros: duas pessoas por turno, ninguém faz duas noites seguidas e cada um folga {h} dias. Mostre que a escala cumpre tudo.',
    ],
    hi: [
      '{p} नर्सों के लिए एक सप्ताह की ड्यूटी बनाइए: हर शिफ्ट में दो लोग, कोई लगातार दो रातें नहीं, हर किसी को {h} दिन छुट्टी। दिखाइए कि सभी शर्तें पूरी होती हैं।',
    ],
  },
};

const simpleWorld: Family = {
  id: 'simple-world',
  kind: 'hard-math-trivial',
  label: 'instant',
  slots: (r, lang) => ({ ...names(r, lang), a: r.int(10, 90), b: r.int(2, 9) }),
  templates: {
    de: [
      '{name} hat {a} Euro und gibt {b} Euro aus. Wie viel bleibt übrig?',
      'Wie viel sind {a} geteilt durch {b}?',
    ],
    fr: [
      '{name} a {a} euros et en dépense {b}. Combien lui reste-t-il ?',
      'Combien font {a} divisé par {b} ?',
    ],
    es: [
      '{name} tiene {a} euros y gasta {b}. ¿Cuánto le queda?',
      '¿Cuánto es {a} dividido entre {b}?',
    ],
    zh: ['{name}有{a}元，花了{b}元，还剩多少元？', '{a}除以{b}等于多少？'],
    ja: ['{name}は{a}円持っていて{b}円使いました。残りはいくらですか？'],
    vi: ['{name} có {a} nghìn đồng, tiêu hết {b} nghìn. Còn lại bao nhiêu?'],
    hi: ['{name} के पास {a} रुपये हैं, उसने {b} रुपये खर्च किए। कितने बचे?'],
    ru: ['У {name} было {a} рублей, она потратила {b}. Сколько осталось?'],
    pt: ['{name} tem {a} reais e gasta {b}. Quanto sobra?'],
  },
};

const lookupWorld: Family = {
  id: 'lookup-world',
  kind: 'factual-lookup',
  label: 'instant',
  slots: (r) => ({ n: r.int(1, 9) }),
  perTemplate: 2,
  templates: {
    zh: [
      '世界上最长的河流是哪一条？',
      '水的沸点是多少度？',
      '“画蛇添足”是什么意思？',
      '李白是哪个朝代的诗人？',
    ],
    ja: [
      '日本の首都はどこですか？',
      '水の沸点は何度ですか？',
      '「一期一会」の意味を教えてください。',
    ],
    de: ['Wie heißt der längste Fluss Europas?', 'Was bedeutet das Wort „Fernweh“?'],
    fr: [
      'Quel est le plus long fleuve de France ?',
      'Que signifie l’expression « avoir le cafard » ?',
    ],
    vi: ['Sông nào dài nhất Việt Nam?', 'Từ "phở" có nghĩa là gì?'],
    hi: ['भारत की सबसे लंबी नदी कौन-सी है?', 'ताजमहल कहाँ है?'],
    es: ['¿Cuál es el río más largo de España?', '¿Qué significa la palabra «sobremesa»?'],
    ru: ['Какая самая длинная река в Европе?', 'Что означает слово «тоска»?'],
  },
};

export const WORLD_FAMILIES: readonly Family[] = [
  puzzlesWorld,
  planningWorld,
  simpleWorld,
  lookupWorld,
];
