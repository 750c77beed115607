/**
 * Families whose label is `instant` under the rule: a direct answer suffices (a fact, a
 * definition, a transformation of given text, a single operation, casual writing, small talk).
 */
import { names, type Family, type Rand } from './compose';

const FACTS = {
  en: [
    'What is the capital of Canada?',
    'When did the Berlin Wall fall?',
    'Who wrote Pride and Prejudice?',
    'What year did Python 3 come out?',
    'How tall is Mount Everest?',
    'What does DNA stand for?',
    'Which planet is closest to the sun?',
    'What is the boiling point of water in Fahrenheit?',
    'What does HTTP 404 mean?',
    'What is a mutex?',
    'Define photosynthesis in one sentence.',
    'What is the difference between weather and climate?',
  ],
  es: [
    '¿Cuál es la capital de Canadá?',
    '¿Quién escribió Cien años de soledad?',
    '¿Qué significa ADN?',
    '¿En qué año cayó el muro de Berlín?',
    '¿Qué es una hipoteca?',
  ],
  fr: [
    'Quelle est la capitale du Canada ?',
    'Qui a écrit Les Misérables ?',
    'Que veut dire l’acronyme ONU ?',
    'En quelle année a eu lieu la prise de la Bastille ?',
    'C’est quoi une API ?',
  ],
  de: [
    'Was ist die Hauptstadt von Kanada?',
    'Wer hat den Faust geschrieben?',
    'Wofür steht die Abkürzung DNA?',
    'Wann fiel die Berliner Mauer?',
    'Was ist ein Compiler?',
  ],
  pt: [
    'Qual é a capital do Canadá?',
    'Quem escreveu Dom Casmurro?',
    'O que significa a sigla ONU?',
    'O que é inflação?',
  ],
  it: [
    'Qual è la capitale del Canada?',
    'Chi ha scritto la Divina Commedia?',
    'Che cos’è un algoritmo?',
    'Quanto è alto il Monte Bianco?',
  ],
  ru: [
    'Какая столица у Канады?',
    'Кто написал «Войну и мир»?',
    'Что такое ипотека?',
    'В каком году пала Берлинская стена?',
  ],
  zh: ['加拿大的首都是哪里？', '《红楼梦》的作者是谁？', '什么是光合作用？', '珠穆朗玛峰有多高？'],
  ja: [
    'カナダの首都はどこですか？',
    '『源氏物語』の作者は誰ですか？',
    'APIとは何ですか？',
    '富士山の高さは？',
  ],
  tr: ['Kanada’nın başkenti neresidir?', 'Nutuk’u kim yazdı?', 'Enflasyon nedir?'],
  vi: ['Thủ đô của Canada là gì?', 'Ai là tác giả Truyện Kiều?', 'Lạm phát là gì?'],
  ar: ['ما عاصمة كندا؟', 'من كتب رواية الخبز الحافي؟', 'ما هو التضخم؟'],
  hi: ['कनाडा की राजधानी क्या है?', 'गोदान किसने लिखा?', 'मुद्रास्फीति क्या है?'],
};

const lookup: Family = {
  id: 'lookup',
  kind: 'factual-lookup',
  label: 'instant',
  perTemplate: 1,
  slots: () => ({}),
  templates: FACTS,
};

const SENTENCES = {
  en: [
    'The meeting has been moved to Thursday at ten.',
    'Could you send me the invoice again?',
    'We are out of milk, can you buy some on the way home?',
    'The train was late because of the snow.',
  ],
  es: ['La reunión se ha movido al jueves a las diez.', '¿Me puedes enviar la factura otra vez?'],
  fr: ['La réunion est déplacée à jeudi dix heures.', 'Peux-tu me renvoyer la facture ?'],
  de: [
    'Das Treffen wurde auf Donnerstag um zehn verschoben.',
    'Kannst du mir die Rechnung noch einmal schicken?',
  ],
};
const TARGETS = ['French', 'German', 'Spanish', 'Japanese', 'Italian', 'Portuguese', 'Korean'];

const translate: Family = {
  id: 'translate',
  kind: 'rewrite-translate',
  label: 'instant',
  slots: (r, lang) => ({
    s: r.pick((SENTENCES as Record<string, string[]>)[lang] ?? SENTENCES.en),
    to: r.pick(TARGETS),
  }),
  templates: {
    en: [
      'Translate into {to}: "{s}"',
      'How do you say "{s}" in {to}?',
      'Rewrite this more politely: {s}',
      'Make this sound more formal: "{s}"',
      'Fix the grammar: {s}',
    ],
    es: ['Traduce al inglés: «{s}»', 'Reescribe esto de forma más formal: {s}'],
    fr: ['Traduis en anglais : « {s} »', 'Reformule plus poliment : {s}'],
    de: ['Übersetze ins Englische: „{s}“', 'Formuliere das höflicher: {s}'],
    pt: [
      'Traduza para o inglês: "Amanhã tenho uma consulta às nove."',
      'Reescreva de forma mais educada: "Manda o relatório logo."',
    ],
    it: [
      'Traduci in inglese: "Domani parto per Roma con il treno delle otto."',
      'Riscrivi in modo più formale: "Ci vediamo dopo, ok?"',
    ],
    ru: [
      'Переведи на английский: «Завтра я работаю из дома».',
      'Перефразируй вежливее: «Пришли отчёт сегодня».',
    ],
    zh: [
      '把这句话翻译成英文：“明天的会议改到下午三点。”',
      '请把这句话改得更礼貌一些：“快把报告发给我。”',
    ],
    ja: [
      '英語に翻訳してください：「明日の会議は三時からです。」',
      'もっと丁寧な言い方に直してください：「早く資料を送って。」',
    ],
    tr: ['İngilizceye çevir: "Yarınki toplantı saat üçe ertelendi."'],
    vi: ['Dịch sang tiếng Anh: "Cuộc họp ngày mai dời sang ba giờ chiều."'],
    ar: ['ترجم إلى الإنجليزية: "تم تأجيل الاجتماع إلى يوم الخميس."'],
    hi: ['अंग्रेज़ी में अनुवाद कीजिए: "कल की बैठक तीन बजे होगी।"'],
  },
};

const chitchat: Family = {
  id: 'chitchat',
  kind: 'chitchat',
  label: 'instant',
  perTemplate: 1,
  slots: () => ({}),
  templates: {
    en: [
      'Hi! How is your day going?',
      'Good morning :)',
      'Thanks, that was really helpful!',
      'Tell me a fun fact about octopuses.',
      'What is your favourite season and why?',
      'hey, you there?',
    ],
    es: [
      '¡Hola! ¿Qué tal estás?',
      '¡Muchas gracias por la ayuda!',
      'Cuéntame un dato curioso sobre los pulpos.',
    ],
    fr: [
      'Salut, ça va ?',
      'Merci beaucoup, c’était parfait !',
      'Raconte-moi une anecdote amusante sur les chats.',
    ],
    de: [
      'Hallo, wie geht’s dir?',
      'Danke, das hat mir sehr geholfen!',
      'Erzähl mir einen Witz über Informatiker.',
    ],
    pt: ['Oi, tudo bem?', 'Valeu pela ajuda!', 'Me conta uma curiosidade sobre polvos.'],
    it: ['Ciao! Come va oggi?', 'Grazie mille, perfetto!'],
    ru: ['Привет! Как настроение?', 'Спасибо, очень помогло!'],
    zh: ['你好！今天过得怎么样？', '谢谢你的帮助！', '给我讲个笑话吧。'],
    ja: ['こんにちは！元気ですか？', 'ありがとうございます、助かりました！'],
    tr: ['Merhaba, nasılsın?', 'Çok teşekkürler, harikaydı!'],
    vi: ['Xin chào! Hôm nay bạn thế nào?', 'Cảm ơn bạn nhiều nhé!'],
    ar: ['مرحبا! كيف حالك اليوم؟', 'شكرًا جزيلًا على المساعدة!'],
    hi: ['नमस्ते! आप कैसे हैं?', 'बहुत धन्यवाद, बहुत मदद मिली!'],
  },
};

/** One operation on given numbers, however mathematical it looks. */
const trivialMath: Family = {
  id: 'trivial-math',
  kind: 'hard-math-trivial',
  label: 'instant',
  slots: (r, lang) => ({ ...names(r, lang), a: r.int(2, 99), b: r.int(2, 30) }),
  templates: {
    en: [
      'What is {a} times {b}?',
      '{name} has {a} stickers and gets {b} more. How many does {name} have now?',
      'Convert {a} kilometres to metres.',
      'What is {b}% of 200?',
      'Is {a} an even number?',
      'What is {a} + {b}?',
    ],
    es: [
      '¿Cuánto es {a} por {b}?',
      '{name} tiene {a} cromos y le dan {b} más. ¿Cuántos tiene ahora?',
    ],
    fr: [
      'Combien font {a} fois {b} ?',
      '{name} a {a} billes et en gagne {b}. Combien en a-t-il maintenant ?',
    ],
    de: [
      'Was ist {a} mal {b}?',
      '{name} hat {a} Murmeln und bekommt {b} dazu. Wie viele hat {name} jetzt?',
    ],
    pt: ['Quanto é {a} vezes {b}?'],
    it: ['Quanto fa {a} per {b}?'],
    ru: [
      'Сколько будет {a} умножить на {b}?',
      'У {name} было {a} марок, ему дали ещё {b}. Сколько стало?',
    ],
    zh: ['{a}乘以{b}等于多少？', '{name}有{a}个苹果，又买了{b}个，现在一共有几个？'],
    ja: ['{a}かける{b}はいくつですか？'],
    tr: ['{a} çarpı {b} kaç eder?'],
    vi: ['{a} nhân {b} bằng bao nhiêu?'],
    ar: ['كم يساوي {a} ضرب {b}؟'],
    hi: ['{a} गुणा {b} कितना होता है?'],
  },
};

/** Code that looks like work but is a lookup, a one-liner or a rename. */
const trivialCode: Family = {
  id: 'trivial-code',
  kind: 'hard-code-trivial',
  label: 'instant',
  slots: (r) => ({
    lang: r.pick(['Python', 'JavaScript', 'Go', 'Java']),
    v: r.pick(['tmp', 'x', 'data', 'res']),
    w: r.pick(['total', 'userCount', 'result', 'items']),
  }),
  templates: {
    en: [
      'How do I reverse a string in {lang}?',
      'Rename the variable {v} to {w} in this snippet:\n\nlet {v} = load();\nconsole.log({v});\nsave({v});',
      'What is the {lang} syntax for a for-each loop?',
      'Convert this JSON to YAML:\n{"name": "svc", "port": 8080, "debug": false}',
      'How do I get the length of a list in {lang}?',
      'Format this SQL so it is readable: select id,name from users where active=1 order by name',
    ],
    es: [
      '¿Cómo invierto una cadena en {lang}?',
      'Cambia el nombre de la variable {v} a {w}:\n\n{v} = cargar()\nprint({v})',
    ],
    fr: [
      'Comment inverser une chaîne en {lang} ?',
      'Renomme la variable {v} en {w} :\n\n{v} = charger()\nprint({v})',
    ],
    de: [
      'Wie kehre ich in {lang} einen String um?',
      'Benenne die Variable {v} in {w} um:\n\n{v} = laden()\nprint({v})',
    ],
    pt: ['Como inverter uma string em {lang}?'],
    ru: ['Как развернуть строку в {lang}?'],
    zh: ['在{lang}里怎么反转一个字符串？'],
    ja: ['{lang}で文字列を逆順にするには？'],
  },
};

const creative: Family = {
  id: 'creative',
  kind: 'casual-writing',
  label: 'instant',
  slots: (r) => ({
    topic: r.pick(['autumn', 'a lost umbrella', 'Monday mornings', 'my cat', 'the sea']),
  }),
  templates: {
    en: [
      'Write a short poem about {topic}.',
      'Give me a catchy slogan for a bakery.',
      'Write a tweet announcing our new office in Lisbon.',
      'Draft a two-line birthday message for my colleague.',
      'Write a limerick about {topic}.',
    ],
    es: ['Escribe un poema corto sobre el otoño.', 'Dame un eslogan para una panadería.'],
    fr: ['Écris un petit poème sur l’automne.', 'Propose un slogan pour une boulangerie.'],
    de: ['Schreib ein kurzes Gedicht über den Herbst.', 'Gib mir einen Slogan für eine Bäckerei.'],
    pt: ['Escreva um poema curto sobre o mar.'],
    it: ['Scrivi una breve poesia sull’autunno.'],
    ru: ['Напиши короткое стихотворение об осени.'],
    zh: ['写一首关于秋天的短诗。'],
    ja: ['秋についての短い詩を書いてください。'],
    tr: ['Sonbahar hakkında kısa bir şiir yaz.'],
    vi: ['Viết một bài thơ ngắn về mùa thu.'],
    ar: ['اكتب قصيدة قصيرة عن الخريف.'],
    hi: ['शरद ऋतु पर एक छोटी कविता लिखिए।'],
  },
};

const advice: Family = {
  id: 'advice',
  kind: 'open-advice',
  label: 'instant',
  perTemplate: 1,
  slots: () => ({}),
  templates: {
    en: [
      'Any tips for sleeping better?',
      'What are some good houseplants for a dark flat?',
      'What should I pack for a weekend in Edinburgh?',
      'Suggest three names for a golden retriever.',
      'What are the benefits of drinking water?',
    ],
    es: ['¿Algún consejo para dormir mejor?', 'Sugiere tres nombres para un perro.'],
    fr: ['Des conseils pour mieux dormir ?', 'Que mettre dans sa valise pour un week-end à Lyon ?'],
    de: [
      'Hast du Tipps für besseren Schlaf?',
      'Welche Zimmerpflanzen passen in eine dunkle Wohnung?',
    ],
    pt: ['Dicas para dormir melhor?'],
    it: ['Qualche consiglio per dormire meglio?'],
    ru: ['Есть советы, как лучше спать?'],
    zh: ['有什么改善睡眠的小建议？'],
    ja: ['よく眠るためのコツはありますか？'],
    tr: ['Daha iyi uyumak için önerin var mı?'],
    vi: ['Có mẹo nào để ngủ ngon hơn không?'],
    ar: ['هل لديك نصائح لنوم أفضل؟'],
    hi: ['बेहतर नींद के लिए कुछ सुझाव दीजिए।'],
  },
};

/** Phrased as a reasoning question, answered in one step. */
const trivialReasoning: Family = {
  id: 'trivial-reasoning',
  kind: 'hard-trivial-reasoning',
  label: 'instant',
  slots: (r: Rand, lang) => ({ ...names(r, lang), a: r.int(3, 12) }),
  templates: {
    en: [
      'If today is Monday, what day is tomorrow?',
      '{name} is taller than {name2}. Who is shorter?',
      'Which is heavier, a kilogram of feathers or a kilogram of iron?',
      'If I have {a} apples and eat none, how many do I have?',
      'Is a whale a fish or a mammal? Explain briefly.',
    ],
    es: [
      'Si hoy es lunes, ¿qué día es mañana?',
      '{name} es más alto que {name2}. ¿Quién es más bajo?',
    ],
    fr: [
      'Si on est lundi, quel jour sera demain ?',
      '{name} est plus grand que {name2}. Qui est le plus petit ?',
    ],
    de: ['Wenn heute Montag ist, welcher Tag ist morgen?'],
    ru: ['Если сегодня понедельник, какой день будет завтра?'],
    zh: ['如果今天是星期一，明天是星期几？'],
    ja: ['今日が月曜日なら、明日は何曜日ですか？'],
  },
};

export const INSTANT_SHORT_FAMILIES: readonly Family[] = [
  lookup,
  translate,
  chitchat,
  trivialMath,
  trivialCode,
  creative,
  advice,
  trivialReasoning,
];
