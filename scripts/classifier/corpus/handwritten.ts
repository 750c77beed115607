/**
 * Prompts written one by one for the corpus, where templates would be stiff: each labelled by
 * the rule of `data/tiering/README.md`. Every row is its own family.
 */
import type { CorpusRow, Lang } from './compose';

type Item = [Lang, 'instant' | 'thinking', string, string];

const ITEMS: readonly Item[] = [
  [
    'en',
    'thinking',
    'hard-short-puzzle',
    'A snail climbs 3 m up a 10 m well each day and slips back 2 m each night. On which day does it get out?',
  ],
  ['en', 'thinking', 'hard-short-math', 'Is 2^61 - 1 prime? Argue it.'],
  [
    'en',
    'thinking',
    'code-algorithm',
    'Given a log of (user, timestamp) logins, find users who logged in on 3 consecutive days. Write it in SQL and explain the window logic.',
  ],
  [
    'en',
    'thinking',
    'planning-tradeoff',
    'Should our 6-person team move from a monolith to microservices next quarter? We deploy twice a week and have one ops person.',
  ],
  [
    'en',
    'thinking',
    'debugging',
    'Our Kafka consumer occasionally processes the same message twice after a rebalance. What are the likely causes and how would you make processing idempotent?',
  ],
  [
    'en',
    'thinking',
    'hard-short-proof',
    'Why can a 4x4 board with two opposite corners removed never be tiled by dominoes?',
  ],
  ['en', 'instant', 'factual-lookup', 'Who proposed the theory of general relativity?'],
  ['en', 'instant', 'casual-writing', 'Write a two-sentence out-of-office reply for the holidays.'],
  ['en', 'instant', 'hard-code-trivial', 'What port does HTTPS use by default?'],
  [
    'en',
    'instant',
    'rewrite-translate',
    'Turn this into a bulleted list: eggs, flour, milk, butter, sugar.',
  ],
  [
    'en',
    'instant',
    'classification',
    'Is this review positive or negative? "The delivery was late and the box was crushed."',
  ],
  [
    'en',
    'instant',
    'classification',
    'Label each as fruit or vegetable: carrot, apple, leek, plum.',
  ],
  [
    'es',
    'thinking',
    'code-algorithm',
    'Diseña un algoritmo que encuentre el camino más corto entre dos estaciones de metro con transbordos y explica por qué es correcto.',
  ],
  ['es', 'instant', 'factual-lookup', '¿Cuántos habitantes tiene Madrid, aproximadamente?'],
  [
    'fr',
    'thinking',
    'hard-short-puzzle',
    'Un fermier doit faire traverser un loup, une chèvre et un chou avec une barque à deux places. Comment fait-il ?',
  ],
  [
    'fr',
    'instant',
    'classification',
    'Classe ces mots par ordre alphabétique : poire, abricot, kiwi.',
  ],
  [
    'de',
    'thinking',
    'planning-tradeoff',
    'Wir haben 3 Server mit je 64 GB RAM und eine Datenbank von 400 GB. Wie verteilen wir Lese- und Schreiblast am besten, und was passiert beim Ausfall eines Servers?',
  ],
  ['de', 'instant', 'factual-lookup', 'Wie viele Bundesländer hat Deutschland?'],
  [
    'zh',
    'thinking',
    'hard-short-puzzle',
    '一个房间里有三盏灯，门外有三个开关，只能进门一次，怎么确定对应关系？请说明推理过程。',
  ],
  ['zh', 'instant', 'rewrite-translate', '把“今天天气很好”翻译成日语。'],
  [
    'ja',
    'thinking',
    'code-algorithm',
    '重み付きグラフで、2点間の最短経路を求めるアルゴリズムを実装し、負の辺がある場合の扱いも説明してください。',
  ],
  ['ja', 'instant', 'factual-lookup', '日本で一番長い川は何ですか？'],
  [
    'ru',
    'thinking',
    'multi-step-math',
    'Поезд проехал первую половину пути со скоростью 60 км/ч, а вторую — 90 км/ч. Какова средняя скорость на всём пути?',
  ],
  [
    'ru',
    'instant',
    'classification',
    'Определи тональность отзыва: «Отличный сервис, всё пришло вовремя».',
  ],
  [
    'pt',
    'thinking',
    'planning-tradeoff',
    'Tenho R$ 30.000 de dívida no cartão a 12% ao mês e R$ 10.000 guardados. Devo quitar parte agora ou investir? Faça as contas para 12 meses.',
  ],
  [
    'it',
    'thinking',
    'hard-short-math',
    'Quante sono le diagonali di un poligono convesso con 20 lati? Spiega il ragionamento.',
  ],
  [
    'tr',
    'thinking',
    'code-algorithm',
    'Bir dizideki en uzun artan alt diziyi O(n log n) sürede bulan bir algoritma yaz ve neden doğru çalıştığını açıkla.',
  ],
  ['vi', 'instant', 'casual-writing', 'Viết một lời chúc sinh nhật ngắn cho đồng nghiệp.'],
  [
    'ar',
    'thinking',
    'multi-step-math',
    'يقطع قطار 240 كم في 3 ساعات، ثم يتوقف نصف ساعة، ثم يقطع 150 كم بسرعة 75 كم/س. ما متوسط سرعته للرحلة كلها؟',
  ],
  ['hi', 'instant', 'factual-lookup', 'भारत का राष्ट्रीय पक्षी कौन-सा है?'],
];

export const HANDWRITTEN: readonly CorpusRow[] = ITEMS.map(([lang, label, kind, prompt], i) => ({
  id: `hand-${i + 1}`,
  prompt,
  label,
  kind,
  lang,
  family: `hand/${i + 1}`,
}));
