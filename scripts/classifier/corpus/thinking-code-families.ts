/**
 * Families whose label is `thinking` because the answer is an algorithm, a diagnosis or a
 * weighed design: code beyond a one-liner, a bug whose cause must be found, trade-offs under
 * constraints, a plan that must satisfy several conditions at once.
 */
import type { Family, Lang, Rand } from './compose';

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

/**
 * The same tasks written in each template's language (a prompt in Italian describes its task in
 * Italian; an English clause inside every non-English template taught the model English words).
 * Grammatical fit: each list reads after its template's connective (`che`, `die`, `которая`,
 * `要求：`, `जो`…).
 */
const ALGORITHMS_BY_LANG: Partial<Record<Lang, readonly string[]>> = {
  en: ALGORITHMS,
  es: [
    'fusione k listas enlazadas ordenadas en O(n log k)',
    'encuentre la subcadena palíndroma más larga',
    'detecte un ciclo en un grafo dirigido y devuelva uno',
    'calcule la distancia de edición entre dos cadenas',
    'ordene tareas con dependencias y avise si el orden es imposible',
    'reparta un array en dos subconjuntos con sumas lo más parecidas posible',
  ],
  fr: [
    'fusionne k listes chaînées triées en O(n log k)',
    'trouve la plus longue sous-chaîne palindrome',
    'détecte un cycle dans un graphe orienté et en renvoie un',
    'calcule la distance d’édition entre deux chaînes',
    'ordonne des tâches avec dépendances et signale un ordre impossible',
    'trouve le plus court chemin dans une grille pondérée avec obstacles',
  ],
  de: [
    'k sortierte verkettete Listen in O(n log k) zusammenführt',
    'den längsten palindromischen Teilstring findet',
    'einen Zyklus in einem gerichteten Graphen erkennt und ihn zurückgibt',
    'die Editierdistanz zweier Zeichenketten berechnet',
    'Aufgaben mit Abhängigkeiten ordnet und eine unmögliche Reihenfolge meldet',
    'einen LRU-Cache mit get und put in O(1) umsetzt',
  ],
  pt: [
    'junte k listas ligadas ordenadas em O(n log k)',
    'encontre a maior substring palíndroma',
    'detecte um ciclo num grafo dirigido e devolva esse ciclo',
    'calcule a distância de edição entre duas strings',
    'ordene tarefas com dependências e avise quando a ordem é impossível',
    'implemente um cache LRU com get e put em O(1)',
  ],
  it: [
    'unisca k liste concatenate ordinate in O(n log k)',
    'trovi la sottostringa palindroma più lunga',
    'rilevi un ciclo in un grafo orientato e ne restituisca uno',
    'calcoli la distanza di edit tra due stringhe',
    'ordini dei compiti con dipendenze e segnali quando l’ordine è impossibile',
    'divida un array in due sottoinsiemi con somme il più possibile vicine',
  ],
  ru: [
    'сливает k отсортированных связных списков за O(n log k)',
    'находит самую длинную подстроку-палиндром',
    'находит цикл в ориентированном графе и возвращает его',
    'считает редакционное расстояние между двумя строками',
    'упорядочивает задачи с зависимостями и сообщает, если порядок невозможен',
    'реализует LRU-кэш с get и put за O(1)',
  ],
  zh: [
    '在O(n log k)时间内合并k个有序链表',
    '找出最长的回文子串',
    '判断有向图中是否有环，并返回一个环',
    '计算两个字符串之间的编辑距离',
    '给有依赖关系的任务排序，无法排序时报告',
    '把数组分成两个子集，使两边的和尽量接近',
  ],
  ja: [
    'k 個のソート済み連結リストを O(n log k) でマージする',
    '最長の回文部分文字列を見つける',
    '有向グラフの閉路を検出して 1 つ返す',
    '2 つの文字列の編集距離を求める',
    '依存関係のあるタスクを並べ、順序が作れないときは知らせる',
    'get と put が O(1) の LRU キャッシュを実装する',
  ],
  tr: [
    'k tane sıralı bağlı listeyi O(n log k) sürede birleştirsin',
    'en uzun palindrom alt dizgiyi bulsun',
    'yönlü bir grafta döngü bulup döndürsün',
    'iki dizgi arasındaki düzenleme mesafesini hesaplasın',
  ],
  vi: [
    'gộp k danh sách liên kết đã sắp xếp trong O(n log k)',
    'tìm xâu con đối xứng dài nhất',
    'phát hiện chu trình trong đồ thị có hướng và trả về một chu trình',
    'tính khoảng cách chỉnh sửa giữa hai chuỗi',
  ],
  ar: [
    'دمج k من القوائم المترابطة المرتبة في O(n log k)',
    'إيجاد أطول سلسلة فرعية متناظرة',
    'اكتشاف دورة في رسم بياني موجّه وإرجاعها',
    'حساب مسافة التحرير بين سلسلتين',
  ],
  hi: [
    'k क्रमबद्ध लिंक्ड लिस्ट को O(n log k) में मिलाए',
    'सबसे लंबी पैलिंड्रोम उप-स्ट्रिंग ढूँढे',
    'किसी निर्देशित ग्राफ़ में चक्र पहचाने और एक चक्र लौटाए',
    'दो स्ट्रिंग के बीच एडिट दूरी निकाले',
    'निर्भरताओं वाले कार्यों का क्रम तय करे और असंभव क्रम होने पर बताए',
    'O(1) get और put वाला LRU कैश बनाए',
  ],
};

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

/** The systems of {@link SYSTEMS} in each template's language. */
const SYSTEMS_BY_LANG: Partial<Record<Lang, readonly string[]>> = {
  en: SYSTEMS,
  es: [
    'un acortador de URL que sirve 50.000 redirecciones por segundo',
    'un chat para 2 millones de usuarios diarios con historial',
    'una cola de trabajos que nunca ejecute dos veces el mismo trabajo',
  ],
  fr: [
    'un raccourcisseur d’URL qui sert 50 000 redirections par seconde',
    'une messagerie pour 2 millions d’utilisateurs par jour avec historique',
    'une file de tâches qui n’exécute jamais deux fois la même tâche',
  ],
  de: [
    'einen URL-Kürzer für 50.000 Weiterleitungen pro Sekunde',
    'einen Chatdienst für 2 Millionen tägliche Nutzer mit Verlauf',
    'eine Job-Warteschlange, die keinen Job doppelt ausführt',
  ],
  pt: [
    'um encurtador de URL que atende 50 mil redirecionamentos por segundo',
    'um chat para 2 milhões de usuários por dia com histórico',
    'uma fila de tarefas que nunca execute a mesma tarefa duas vezes',
  ],
  it: [
    'un accorciatore di URL che serve 50.000 redirect al secondo',
    'una chat per 2 milioni di utenti al giorno con la cronologia',
    'una coda di job che non esegua mai due volte lo stesso job',
  ],
  ru: [
    'сокращатель ссылок на 50 000 переходов в секунду',
    'чат для 2 миллионов пользователей в день с историей сообщений',
    'очередь задач, которая никогда не выполняет задачу дважды',
  ],
  zh: [
    '每秒处理5万次跳转的短链接服务',
    '日活200万、保存聊天记录的聊天服务',
    '保证任务绝不重复执行的任务队列',
  ],
  ja: [
    '毎秒5万件のリダイレクトをさばく短縮URLサービス',
    '1日200万人が使う履歴付きのチャットサービス',
    '同じジョブを二度と実行しないジョブキュー',
  ],
  tr: [
    'saniyede 50 bin yönlendirme yapan bir URL kısaltıcı',
    'günde 2 milyon kullanıcılı, geçmişi saklayan bir sohbet servisi',
  ],
};

/** The regions of the analysis family, in each template's language. */
const REGIONS: Partial<Record<Lang, readonly string[]>> = {
  en: ['the north region', 'Germany', 'our mobile channel', 'enterprise accounts'],
  es: ['la región norte', 'Alemania', 'el canal móvil', 'las cuentas de empresa'],
  fr: ['la région nord', 'l’Allemagne', 'le canal mobile', 'les comptes entreprise'],
  de: ['der Region Nord', 'Deutschland', 'dem Mobilkanal', 'den Firmenkunden'],
  pt: ['na região norte', 'na Alemanha', 'no canal mobile', 'nas contas empresariais'],
  zh: ['北方区', '德国市场', '移动端渠道', '企业客户'],
  vi: ['khu vực phía Bắc', 'thị trường Đức', 'kênh di động'],
  ar: ['المنطقة الشمالية', 'ألمانيا', 'قناة الهاتف المحمول'],
  hi: ['उत्तर क्षेत्र', 'जर्मनी', 'मोबाइल चैनल', 'कॉर्पोरेट ग्राहकों'],
};

const codeSlots = (r: Rand, lang: Lang) => ({
  algo: r.pick(ALGORITHMS_BY_LANG[lang] ?? ALGORITHMS),
  lang: r.pick(LANGUAGES),
});

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
  slots: (r, lang) => ({
    system: r.pick(SYSTEMS_BY_LANG[lang] ?? SYSTEMS),
    budget: r.pick(['$2,000', '$500', '$10,000']),
  }),
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
  slots: (r, lang) => ({
    pct: r.int(8, 35),
    region: r.pick(REGIONS[lang] ?? (REGIONS.en as readonly string[])),
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
      'A receita {region} caiu {pct}% no trimestre, mas o tráfego ficou estável. Descubra a causa mais provável usando os dados de vendas.',
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
