/**
 * Families whose label is `thinking` because the answer is an algorithm, a diagnosis or a
 * weighed design: code beyond a one-liner, a bug whose cause must be found, trade-offs under
 * constraints, a plan that must satisfy several conditions at once.
 */
import type { Family, Rand } from './compose';

const ALGORITHMS = [
  'merges k sorted linked lists in O(n log k)',
  'finds the longest palindromic substring',
  'returns the k most frequent words in a stream using bounded memory',
  'detects a cycle in a directed graph and returns one cycle',
  'implements an LRU cache with O(1) get and put',
  'computes the edit distance between two strings',
  'schedules tasks with dependencies and reports an impossible order',
  'finds the shortest path in a weighted grid with obstacles',
  'balances parentheses by removing the fewest characters',
  'partitions an array into two subsets with the closest sums',
];
const LANGUAGES = ['Python', 'TypeScript', 'Go', 'Rust', 'Java', 'C++'];

const BUGGY = [
  'def average(xs):\n    total = 0\n    for i in range(1, len(xs)):\n        total += xs[i]\n    return total / len(xs)',
  'async function loadAll(ids) {\n  const out = [];\n  ids.forEach(async (id) => {\n    out.push(await fetchItem(id));\n  });\n  return out;\n}',
  'for (int i = 0; i <= n; i++) {\n    sum += values[i];\n}',
  'counter = 0\ndef worker():\n    global counter\n    for _ in range(100000):\n        counter += 1\nthreads = [Thread(target=worker) for _ in range(4)]',
  'SELECT customer_id, COUNT(*) FROM orders o JOIN payments p ON o.customer_id = p.customer_id GROUP BY customer_id;',
  'func handler(w http.ResponseWriter, r *http.Request) {\n    rows, _ := db.Query("SELECT name FROM users")\n    for rows.Next() { ... }\n}',
];

const SYSTEMS = [
  'a URL shortener that serves 50k redirects per second',
  'a chat service for 2 million daily users with message history',
  'a job queue that must never run a job twice',
  'rate limiting across 12 gateway replicas',
  'an offline-first mobile notes app that syncs to the cloud',
  'a payment ledger that must survive a region outage',
];

const codeSlots = (r: Rand) => ({ algo: r.pick(ALGORITHMS), lang: r.pick(LANGUAGES) });

const algorithmDesign: Family = {
  id: 'algorithm',
  kind: 'code-algorithm',
  label: 'thinking',
  perTemplate: 7,
  slots: codeSlots,
  templates: {
    en: [
      'Write a {lang} function that {algo}. Include tests for the edge cases.',
      'I need an efficient algorithm that {algo}. Explain the complexity and give {lang} code.',
      'Implement a class in {lang} that {algo}.',
      'Can you design something that {algo}? Inputs can be large, so think about time and memory.',
    ],
    es: [
      'Escribe una función en {lang} que {algo}. Incluye pruebas.',
      'Diseña un algoritmo que {algo} y explica su complejidad.',
    ],
    fr: [
      'Écris une fonction {lang} qui {algo}, avec des tests.',
      'Conçois un algorithme qui {algo} et analyse sa complexité.',
    ],
    de: [
      'Schreibe eine {lang}-Funktion, die {algo}. Mit Tests bitte.',
      'Entwirf einen Algorithmus, der {algo}, und erkläre die Laufzeit.',
    ],
    pt: [
      'Escreva uma função em {lang} que {algo}.',
      'Crie um algoritmo que {algo} e explique a complexidade.',
    ],
    it: ['Scrivi una funzione in {lang} che {algo}.'],
    ru: ['Напиши функцию на {lang}, которая {algo}. Оцени сложность.'],
    zh: ['用{lang}写一个函数，要求：{algo}。请分析时间复杂度。'],
    ja: ['{lang}で次の関数を実装してください：{algo}。計算量も説明してください。'],
    tr: ['{lang} ile şu işi yapan bir fonksiyon yaz: {algo}. Karmaşıklığı da açıkla.'],
    vi: ['Viết hàm bằng {lang} để {algo}, kèm phân tích độ phức tạp.'],
    ar: ['اكتب دالة بلغة {lang} تقوم بما يلي: {algo}، واشرح تعقيدها الزمني.'],
    hi: ['{lang} में एक फ़ंक्शन लिखिए जो {algo}। जटिलता भी समझाइए।'],
  },
};

const debugging: Family = {
  id: 'debug',
  kind: 'debugging',
  label: 'thinking',
  perTemplate: 6,
  slots: (r) => ({ code: r.pick(BUGGY) }),
  templates: {
    en: [
      'This gives the wrong result sometimes and I cannot see why:\n\n{code}\n\nWhat is going on and how do I fix it?',
      'Our tests pass locally but fail in CI with this code:\n\n{code}\n\nFind the problem.',
      '{code}\n\nWhy does this not do what I expect?',
    ],
    es: [
      'Este código a veces da un resultado incorrecto:\n\n{code}\n\n¿Cuál es el problema y cómo lo arreglo?',
    ],
    fr: [
      'Ce code donne parfois un mauvais résultat :\n\n{code}\n\nQuel est le problème et comment le corriger ?',
    ],
    de: [
      'Dieser Code liefert manchmal ein falsches Ergebnis:\n\n{code}\n\nWoran liegt das und wie behebe ich es?',
    ],
    pt: ['Este código às vezes retorna o resultado errado:\n\n{code}\n\nQual é o problema?'],
    ru: ['Этот код иногда работает неправильно:\n\n{code}\n\nВ чём причина и как исправить?'],
    zh: ['这段代码有时结果不对：\n\n{code}\n\n问题出在哪里？怎么修？'],
    ja: [
      'このコードはときどき間違った結果を返します：\n\n{code}\n\n原因と直し方を教えてください。',
    ],
  },
};

const designTradeoffs: Family = {
  id: 'design',
  kind: 'planning-tradeoff',
  label: 'thinking',
  perTemplate: 6,
  slots: (r) => ({ system: r.pick(SYSTEMS), budget: r.pick(['$2,000', '$500', '$10,000']) }),
  templates: {
    en: [
      'How would you architect {system}? Compare two designs and recommend one, given a monthly budget of {budget}.',
      'We are building {system}. What are the failure modes, and which storage would you choose and why?',
      'Sketch {system} and explain where it breaks first as load grows tenfold.',
    ],
    es: [
      '¿Cómo diseñarías {system}? Compara dos opciones y recomienda una con un presupuesto de {budget} al mes.',
    ],
    fr: [
      'Comment concevrais-tu {system} ? Compare deux architectures et recommande-en une, avec un budget de {budget} par mois.',
    ],
    de: [
      'Wie würdest du {system} aufbauen? Vergleiche zwei Entwürfe und empfiehl einen bei {budget} Budget im Monat.',
    ],
    pt: [
      'Como você projetaria {system}? Compare duas abordagens e diga qual vale mais a pena com {budget} por mês.',
    ],
    it: ['Come progetteresti {system}? Confronta due soluzioni con un budget di {budget} al mese.'],
    ru: [
      'Как бы ты спроектировал {system}? Сравни два варианта и выбери один при бюджете {budget} в месяц.',
    ],
    zh: ['你会如何设计{system}？比较两种方案，并在每月{budget}的预算下给出推荐。'],
    ja: [
      '{system}をどう設計しますか？月{budget}の予算で2つの案を比較し、どちらを選ぶか理由とともに教えてください。',
    ],
    tr: [
      '{system} nasıl tasarlanır? Aylık {budget} bütçeyle iki seçeneği karşılaştırıp birini öner.',
    ],
  },
};

/** Analysis and planning where several conditions must hold at once (often with tools). */
const analysis: Family = {
  id: 'analysis',
  kind: 'analysis-planning',
  label: 'thinking',
  slots: (r) => ({
    pct: r.int(8, 35),
    region: r.pick(['the north region', 'Germany', 'our mobile channel', 'enterprise accounts']),
    people: r.int(4, 9),
  }),
  templates: {
    en: [
      'Revenue in {region} fell {pct}% last quarter while traffic stayed flat. Use the sales tables to find the most likely root cause and check it against the data.',
      'Plan a two-day offsite for {people} people: nobody travels more than 3 hours, two people cannot fly, the venue needs a room for 20, and the total stays under budget. Propose a schedule and justify it.',
      'Our churn rose {pct}% after the pricing change. Work out whether the change caused it or whether something else explains it, and say what data would settle it.',
      'Given 4 meeting rooms and {people} teams with these constraints, find a weekly schedule where no team meets twice on the same day and the design review comes before the release meeting.',
    ],
    es: [
      'Los ingresos en {region} cayeron un {pct}% mientras el tráfico se mantuvo. Analiza las tablas de ventas y encuentra la causa más probable.',
    ],
    fr: [
      'Le chiffre d’affaires de {region} a baissé de {pct} % alors que le trafic est stable. Analyse les données pour trouver la cause la plus probable.',
    ],
    de: [
      'Der Umsatz in {region} ist um {pct} % gefallen, der Traffic blieb gleich. Finde mit den Verkaufsdaten die wahrscheinlichste Ursache.',
    ],
    pt: [
      'A receita em {region} caiu {pct}% no trimestre, mas o tráfego ficou estável. Descubra a causa mais provável usando os dados de vendas.',
    ],
    zh: [
      '{region}的收入上季度下降了{pct}%，但流量没有变化。请用销售数据找出最可能的根本原因并验证。',
    ],
    vi: [
      'Doanh thu ở {region} giảm {pct}% dù lượng truy cập không đổi. Hãy phân tích dữ liệu bán hàng để tìm nguyên nhân gốc.',
    ],
    ar: [
      'انخفضت الإيرادات في {region} بنسبة {pct}% بينما بقيت الزيارات ثابتة. حلّل بيانات المبيعات لتحديد السبب الأرجح.',
    ],
    hi: ['{region} में राजस्व {pct}% गिरा जबकि ट्रैफ़िक स्थिर रहा। बिक्री के आँकड़ों से सबसे संभावित कारण खोजिए।'],
  },
};

/** Estimates that must be built from several assumptions. */
const estimates: Family = {
  id: 'estimate',
  kind: 'fermi-estimate',
  label: 'thinking',
  slots: (r) => ({
    thing: r.pick([
      'piano tuners work in Chicago',
      'litres of coffee are drunk in Paris each day',
      'golf balls fit in a school bus',
      'smartphones are replaced in Brazil each year',
    ]),
  }),
  templates: {
    en: [
      'Estimate how many {thing}. Walk through your assumptions.',
      'Roughly how many {thing}? Build the estimate from numbers you can defend.',
    ],
  },
};

export const THINKING_CODE_FAMILIES: readonly Family[] = [
  algorithmDesign,
  debugging,
  designTradeoffs,
  analysis,
  estimates,
];
