/**
 * Templates written natively in the languages and kinds where held-out accuracy was weakest
 * (de, ru, zh, ja, hi; short puzzles, analysis and planning, long material): whole sentences
 * in the language, not an English clause inside a translated frame, and several ways of asking
 * per idea, so that a template held out has siblings that share its meaning but not its words.
 * Instant families here are the counterweight: direct asks in the same languages, and short
 * code and arithmetic questions phrased as people type them. Labels follow
 * `data/tiering/README.md`: thinking needs a chain of steps; instant needs one.
 */
import { names, type Family } from './compose';
import { longText } from './passages';

const puzzles: Family = {
  id: 'puzzle-native',
  kind: 'hard-short-puzzle',
  label: 'thinking',
  perTemplate: 6,
  slots: (r, lang) => ({ ...names(r, lang), k: r.int(3, 5), m: r.int(2, 4) }),
  templates: {
    en: [
      'Four people must cross a bridge at night with one torch; they take 1, 2, 5 and 10 minutes, and at most two cross at a time. What is the shortest total time?',
      '{name} is twice as old as {name2} was when {name} was as old as {name2} is now. If {name} is 24, how old is {name2}?',
      'On an island knights always tell the truth and knaves always lie. {name} says "{name2} is a knave"; {name2} says "we are both knights". Who is what?',
    ],
    de: [
      'Vier Personen wollen nachts über eine Brücke, sie haben nur eine Taschenlampe und brauchen 1, 2, 5 und 10 Minuten; höchstens zwei gehen gleichzeitig. Wie lange dauert es mindestens?',
      'Auf einer Insel sagen Ritter immer die Wahrheit und Schurken lügen immer. {name} sagt: „{name2} ist ein Schurke“, {name2} sagt: „Wir sind beide Ritter“. Wer ist was?',
      'In einer Schublade liegen {k} rote und {k} blaue Socken durcheinander. Wie viele musst du im Dunkeln mindestens ziehen, um sicher ein gleichfarbiges Paar zu haben, und warum?',
      'Ein Uhrzeiger-Rätsel: Um wie viel Uhr nach 3 Uhr stehen Stunden- und Minutenzeiger zum ersten Mal genau übereinander?',
    ],
    ru: [
      'Четыре человека ночью переходят мост с одним фонариком; им нужно 1, 2, 5 и 10 минут, одновременно идут не больше двух. За какое наименьшее время все перейдут?',
      'На острове рыцари всегда говорят правду, а лжецы всегда лгут. {name} говорит: «{name2} — лжец», а {name2} говорит: «Мы оба рыцари». Кто есть кто?',
      'В ящике вперемешку лежат {k} красных и {k} синих носков. Сколько носков нужно вытащить в темноте, чтобы наверняка получить пару одного цвета? Объясни.',
      'Волк, коза и капуста должны переправиться через реку, лодка берёт только лодочника и ещё одного. Как перевезти всех, чтобы никто никого не съел?',
    ],
    zh: [
      '四个人夜里要过一座桥，只有一只手电筒，他们分别需要1、2、5、10分钟，每次最多两人同行。最少需要多少分钟？',
      '岛上的骑士总说真话，骗子总说假话。{name}说：“{name2}是骗子。”{name2}说：“我们俩都是骑士。”谁是骑士，谁是骗子？',
      '抽屉里混放着{k}只红袜子和{k}只蓝袜子。黑暗中至少要拿几只才能保证有一双同色的？为什么？',
      '一只蜗牛在10米深的井底，白天爬3米，晚上滑下2米。第几天能爬出井口？',
    ],
    ja: [
      '夜、4人が懐中電灯1本で橋を渡ります。かかる時間は1分、2分、5分、10分で、一度に渡れるのは2人までです。全員が渡る最短時間は何分ですか？',
      'ある島では騎士は常に本当のことを言い、悪党は常に嘘をつきます。{name}は「{name2}は悪党だ」と言い、{name2}は「私たちは二人とも騎士だ」と言いました。それぞれ何者ですか？',
      '引き出しに赤い靴下{k}足分と青い靴下{k}足分が混ざっています。暗闇で同じ色のペアを確実に作るには最低何本取り出せばよいですか？理由も教えてください。',
      'カタツムリが深さ10メートルの井戸の底にいます。昼に3メートル登り、夜に2メートル滑り落ちます。何日目に井戸から出られますか？',
    ],
    hi: [
      'रात में चार लोगों को एक टॉर्च के साथ पुल पार करना है; उन्हें 1, 2, 5 और 10 मिनट लगते हैं और एक बार में अधिकतम दो लोग जा सकते हैं। सबसे कम कुल समय कितना होगा?',
      'एक द्वीप पर सच्चे हमेशा सच बोलते हैं और झूठे हमेशा झूठ। {name} कहता है: "{name2} झूठा है", और {name2} कहता है: "हम दोनों सच्चे हैं"। कौन क्या है?',
      'दराज़ में {k} लाल और {k} नीले मोज़े मिले हुए हैं। अँधेरे में कम से कम कितने मोज़े निकालें कि एक ही रंग की जोड़ी पक्की हो? कारण बताइए।',
      'एक घोंघा 10 मीटर गहरे कुएँ में है। वह दिन में 3 मीटर चढ़ता है और रात में 2 मीटर फिसल जाता है। वह कितने दिन में बाहर निकलेगा?',
    ],
    es: [
      'En una isla los caballeros siempre dicen la verdad y los bribones siempre mienten. {name} dice: «{name2} es un bribón»; {name2} dice: «los dos somos caballeros». ¿Quién es qué?',
      'Un caracol está en el fondo de un pozo de 10 metros: sube 3 metros de día y resbala 2 de noche. ¿Qué día sale?',
    ],
    fr: [
      'Quatre personnes traversent un pont la nuit avec une seule lampe ; il leur faut 1, 2, 5 et 10 minutes et deux au plus passent à la fois. Quel est le temps total minimal ?',
      'Dans un tiroir, {k} chaussettes rouges et {k} bleues sont mélangées. Combien faut-il en tirer dans le noir pour être sûr d’avoir une paire de la même couleur ?',
    ],
    it: [
      'Quattro persone devono attraversare un ponte di notte con una sola torcia; impiegano 1, 2, 5 e 10 minuti e passano al massimo in due. Qual è il tempo minimo?',
    ],
    pt: [
      'Numa ilha, os cavaleiros sempre dizem a verdade e os patifes sempre mentem. {name} diz: "{name2} é patife"; {name2} diz: "somos os dois cavaleiros". Quem é o quê?',
    ],
    tr: [
      'Bir salyangoz 10 metre derinliğindeki kuyunun dibinde; gündüz 3 metre tırmanıyor, gece 2 metre kayıyor. Kaçıncı gün kuyudan çıkar?',
    ],
    vi: [
      'Bốn người qua cầu ban đêm với một chiếc đèn pin; họ cần 1, 2, 5 và 10 phút, mỗi lần tối đa hai người. Tổng thời gian ngắn nhất là bao nhiêu?',
    ],
    ar: [
      'في جزيرة، الفرسان يقولون الصدق دائمًا والمخادعون يكذبون دائمًا. يقول {name}: "{name2} مخادع"، ويقول {name2}: "كلانا فارس". من هو من؟',
    ],
  },
};

const shortMath: Family = {
  id: 'short-math-native',
  kind: 'hard-short-math',
  label: 'thinking',
  perTemplate: 6,
  // Bases whose last digit cycles with period 4 and moduli they share no factor with: 5^e ends in
  // 5 and 7^e mod 7 is 0 at a glance, which the rule calls instant.
  slots: (r) => ({
    a: r.pick([2, 3, 7, 8]),
    e: r.int(20, 99),
    m: r.pick([11, 13]),
    n: r.int(5, 12),
  }),
  templates: {
    de: [
      'Was ist die letzte Ziffer von {a}^{e}?',
      'Wie viele Teiler hat die Zahl 360?',
      'Wie viele Möglichkeiten gibt es, {n} Personen an einen runden Tisch zu setzen, wenn nur die Reihenfolge zählt?',
      'Für welche ganzen Zahlen x ist x^2 - {a}x + 6 eine Primzahl?',
    ],
    ru: [
      'Какая последняя цифра числа {a}^{e}?',
      'Сколько делителей у числа 360?',
      'Сколькими способами можно рассадить {n} человек за круглым столом, если важен только порядок?',
      'Найди остаток от деления {a}^{e} на {m}.',
    ],
    zh: [
      '{a}^{e}的个位数是多少？',
      '360有多少个正因数？',
      '{n}个人围着圆桌坐，只考虑相对顺序，一共有多少种坐法？',
      '求{a}^{e}除以{m}的余数。',
    ],
    ja: [
      '{a}^{e}の一の位の数字は何ですか？',
      '360の正の約数はいくつありますか？',
      '{n}人が円卓に座るとき、並び順だけを区別すると何通りありますか？',
      '{a}^{e}を{m}で割った余りを求めてください。',
    ],
    hi: [
      '{a}^{e} का इकाई का अंक क्या है?',
      '360 के कितने धनात्मक भाजक हैं?',
      '{n} लोगों को गोल मेज़ पर कितने तरीकों से बिठाया जा सकता है, यदि केवल क्रम मायने रखता है?',
      '{a}^{e} को {m} से भाग देने पर शेषफल ज्ञात कीजिए।',
    ],
    en: [
      'Which is larger, 99^100 or 100^99?',
      'How many trailing zeros does {n}0! have?',
      'What is the remainder when {a}^{e} is divided by {m}?',
    ],
    es: ['¿Cuántos ceros tiene al final {n}0!?', '¿Cuál es mayor, 99^100 o 100^99?'],
    fr: ['Quel est le reste de la division de {a}^{e} par {m} ?', 'Combien de diviseurs a 360 ?'],
    it: ['Qual è l’ultima cifra di {a}^{e}?'],
    pt: ['Qual é o resto da divisão de {a}^{e} por {m}?'],
  },
};

const analysis: Family = {
  id: 'analysis-native',
  kind: 'analysis-planning',
  label: 'thinking',
  perTemplate: 6,
  slots: (r) => ({ p: r.int(10, 40), n: r.int(3, 8), b: r.int(20, 90) }),
  templates: {
    de: [
      'Unser Umsatz ist im letzten Quartal um {p} % gefallen, obwohl die Besucherzahlen gleich geblieben sind. Welche Ursachen kommen in Frage, und wie würdest du mit den Verkaufsdaten herausfinden, welche es wirklich ist?',
      'Wir müssen {n} Projekte mit einem Budget von {b} 000 Euro priorisieren; jedes hat andere Kosten, Risiken und Nutzen. Wie gehst du vor, und welche Abwägungen triffst du?',
      'Soll unsere kleine Firma eine eigene App entwickeln oder bei einer mobilen Webseite bleiben? Wäge Kosten, Zeit und Risiken ab und gib eine begründete Empfehlung.',
    ],
    ru: [
      'Выручка за квартал упала на {p}%, хотя посещаемость не изменилась. Какие причины возможны и как по данным продаж проверить, какая из них настоящая?',
      'Нужно распределить бюджет {b} тысяч рублей между {n} проектами с разными затратами, рисками и выгодой. Как принять решение и чем придётся пожертвовать?',
      'Стоит ли нашей небольшой команде переходить с монолита на микросервисы? Сравни плюсы и минусы для нашего случая и дай обоснованную рекомендацию.',
    ],
    zh: [
      '上个季度我们的收入下降了{p}%，但访问量没有变化。可能有哪些原因？你会怎样用销售数据一步步确认真正的原因？',
      '我们要用{b}万元的预算在{n}个项目之间做取舍，每个项目的成本、风险和收益都不同。你会怎么决策？要权衡哪些因素？',
      '我们这个小团队该不该从单体架构迁移到微服务？请结合利弊分析，给出有理由的建议。',
    ],
    ja: [
      '先四半期の売上が{p}%落ちましたが、アクセス数は変わっていません。考えられる原因を挙げ、販売データを使ってどれが本当の原因かをどう確かめるか説明してください。',
      '予算{b}0万円を{n}つのプロジェクトに配分しなければなりません。コスト、リスク、効果がそれぞれ違います。どのように判断し、何をトレードオフしますか？',
      '小さなチームでモノリスからマイクロサービスに移行すべきでしょうか。利点と欠点を比較して、理由のある提案をしてください。',
    ],
    hi: [
      'पिछली तिमाही में हमारी आय {p}% गिर गई, जबकि वेबसाइट पर आने वालों की संख्या वही रही। संभावित कारण क्या हो सकते हैं, और बिक्री के आँकड़ों से असली कारण कैसे पता करेंगे?',
      'हमें {b} लाख रुपये का बजट {n} परियोजनाओं में बाँटना है, जिनकी लागत, जोखिम और लाभ अलग-अलग हैं। आप निर्णय कैसे लेंगे और किन बातों का संतुलन करेंगे?',
      'क्या हमारी छोटी टीम को मोनोलिथ से माइक्रोसर्विसेज़ पर जाना चाहिए? फ़ायदे और नुकसान तौलकर कारण सहित सलाह दीजिए।',
    ],
    en: [
      'Our churn went from 3% to {n}% a month after we raised prices by {p}%. How would you tell whether the price rise caused it, and what data would you look at first?',
    ],
    fr: [
      'Notre chiffre d’affaires a baissé de {p} % alors que la fréquentation est stable. Quelles causes envisager, et comment trancher avec les données de ventes ?',
    ],
    es: [
      'Tenemos que repartir {b} mil euros entre {n} proyectos con costes, riesgos y beneficios distintos. ¿Cómo decidirías y qué sacrificarías?',
    ],
    it: [
      'Il fatturato è calato del {p}% ma il traffico è rimasto uguale. Quali cause possibili vedi e come verificheresti quella vera con i dati di vendita?',
    ],
    vi: [
      'Doanh thu quý trước giảm {p}% trong khi lượng truy cập không đổi. Nguyên nhân có thể là gì, và bạn sẽ dùng dữ liệu bán hàng để kiểm chứng thế nào?',
    ],
    tr: [
      'Ziyaretçi sayısı aynı kalmasına rağmen geçen çeyrekte gelirimiz %{p} düştü. Olası nedenler neler ve satış verileriyle gerçek nedeni nasıl bulursun?',
    ],
    ar: [
      'انخفضت إيراداتنا بنسبة {p}% في الربع الماضي رغم ثبات عدد الزوار. ما الأسباب المحتملة، وكيف تتحقق من السبب الحقيقي باستخدام بيانات المبيعات؟',
    ],
  },
};

const algorithms: Family = {
  id: 'algorithm-native',
  kind: 'code-algorithm',
  label: 'thinking',
  perTemplate: 4,
  slots: (r) => ({ lang: r.pick(['Python', 'Java', 'Go', 'TypeScript', 'C++']) }),
  templates: {
    de: [
      'Schreibe in {lang} eine Funktion, die in einem gerichteten Graphen einen Zyklus findet und ihn zurückgibt, und erkläre die Laufzeit.',
      'Implementiere in {lang} einen LRU-Cache mit get und put in O(1) und begründe, warum das so schnell ist.',
    ],
    it: [
      'Scrivi in {lang} una funzione che trovi la sottostringa palindroma più lunga e spiega la complessità.',
      'Implementa in {lang} una cache LRU con get e put in O(1) e spiega perché funziona.',
    ],
    ru: [
      'Напиши на {lang} функцию, которая находит цикл в ориентированном графе, и оцени её сложность.',
      'Реализуй на {lang} LRU-кэш с операциями get и put за O(1) и объясни, почему это работает.',
    ],
    zh: [
      '用{lang}写一个函数，找出有向图中的一个环并返回它，并分析时间复杂度。',
      '用{lang}实现一个LRU缓存，get和put都是O(1)，并说明为什么能做到。',
    ],
    ja: [
      '{lang}で、有向グラフの閉路を1つ見つけて返す関数を書き、計算量も説明してください。',
      '{lang}でgetとputがO(1)のLRUキャッシュを実装し、なぜそうなるのか説明してください。',
    ],
    hi: [
      '{lang} में एक फ़ंक्शन लिखिए जो निर्देशित ग्राफ़ में एक चक्र खोजकर लौटाए, और उसकी समय-जटिलता समझाइए।',
      '{lang} में O(1) get और put वाला LRU कैश बनाइए और समझाइए कि यह कैसे काम करता है।',
    ],
  },
};

/** Long material in the weak languages with a task that needs a chain of steps. */
const longHard: Family = {
  id: 'long-hard-native',
  kind: 'long-analysis',
  label: 'thinking',
  perTemplate: 5,
  slots: (r, lang) => ({ text: longText(r, lang, r.int(8, 20)) }),
  templates: {
    zh: [
      '{text}\n\n根据以上数据，推断哪项变化最能解释销售增长，排除其他可能，并说明下一步要核实什么。',
    ],
    ru: [
      '{text}\n\nПо этим данным определи, какое изменение лучше всего объясняет рост продаж, исключи остальные версии и скажи, что проверить дальше.',
    ],
    ja: [
      '{text}\n\n上の数字から、売上の伸びを最もよく説明する変化はどれかを推論し、他の可能性を排除して、次に何を確認すべきか述べてください。',
    ],
    hi: [
      '{text}\n\nइन आँकड़ों के आधार पर तर्क कीजिए कि बिक्री में बढ़ोतरी का सबसे संभावित कारण कौन-सा बदलाव है, बाकी संभावनाओं को खारिज कीजिए और बताइए कि आगे क्या जाँचना चाहिए।',
    ],
    de: [
      '{text}\n\nRechne aus den Zahlen oben nach, ob sich die Kampagne gelohnt hat, und begründe, welche Annahmen dein Ergebnis am stärksten beeinflussen.',
    ],
    fr: [
      '{text}\n\nÀ partir de ces notes, établis un plan en plusieurs étapes pour réduire les retards, avec les risques de chaque étape et l’ordre dans lequel les traiter.',
    ],
    es: [
      '{text}\n\nCon estos datos, calcula si la campaña fue rentable y razona qué supuestos pesan más en el resultado.',
    ],
    it: [
      '{text}\n\nDa questi dati, deduci quale cambiamento spiega meglio la crescita delle vendite ed escludi le alternative.',
    ],
  },
};

/** Long material with an ask that reads it once: pick out, count, classify. */
const longExtract: Family = {
  id: 'long-extract-native',
  kind: 'hard-long-extract',
  label: 'instant',
  perTemplate: 6,
  slots: (r, lang) => ({ text: longText(r, lang, r.int(6, 22)) }),
  templates: {
    de: [
      'Hier sind die Notizen:\n\n{text}\n\nWann fängt die neue Kollegin an?',
      '{text}\n\nWie ist der Ton dieser Notizen: positiv, negativ oder neutral?',
      'Liste alle Zahlen aus dem folgenden Text auf:\n\n{text}',
    ],
    ru: [
      'Вот заметки со встречи:\n\n{text}\n\nКогда выходит новый сотрудник?',
      'Выпиши все проценты из текста ниже:\n\n{text}',
      '{text}\n\nКакой тон у этих заметок: положительный, отрицательный или нейтральный?',
    ],
    zh: [
      '以下是会议记录：\n\n{text}\n\n新同事哪天入职？',
      '把下面文字里出现的所有百分比列出来：\n\n{text}',
      '{text}\n\n这段记录的语气是积极、消极还是中性？',
    ],
    ja: [
      '会議メモです：\n\n{text}\n\n新しいメンバーはいつから出社しますか？',
      '次の文章に出てくるパーセンテージをすべて抜き出してください：\n\n{text}',
      '{text}\n\n上のメモで言及されている曜日はどれですか？',
    ],
    hi: [
      'बैठक के नोट्स ये हैं:\n\n{text}\n\nनया सहकर्मी किस दिन से काम शुरू करेगा?',
      'नीचे दिए पाठ से सभी प्रतिशत निकालकर सूची बनाइए:\n\n{text}',
      '{text}\n\nऊपर किन दिनों का ज़िक्र है?',
    ],
    it: [
      'Ecco gli appunti della riunione:\n\n{text}\n\nQuali giorni sono nominati?',
      'Estrai tutte le percentuali da questo testo:\n\n{text}',
    ],
    fr: ['{text}\n\nQuand le nouveau collègue commence-t-il ?'],
    es: ['{text}\n\n¿Cuándo empieza la persona nueva?'],
    pt: ['Extraia todas as porcentagens destas notas:\n\n{text}'],
    en: ['{text}\n\nHow many tickets did support close? Just the number.'],
  },
};

/** Direct asks in the weak languages: a fact, a definition, a rewrite, a one-step sum. */
const directNative: Family = {
  id: 'direct-native',
  kind: 'factual-lookup',
  label: 'instant',
  perTemplate: 3,
  slots: (r, lang) => ({ ...names(r, lang), a: r.int(12, 90), b: r.int(2, 9) }),
  templates: {
    de: [
      'Wie heißt die Hauptstadt von Kanada?',
      'Was bedeutet das Wort „Fernweh“?',
      'Übersetze „Guten Morgen, wie geht es dir?“ ins Englische.',
      'Wann wurde die Berliner Mauer gebaut?',
      'Nenn mir drei Synonyme für „schnell“.',
    ],
    ru: [
      'Какая столица у Канады?',
      'Что означает слово «тоска»?',
      'Переведи на английский: «Доброе утро, как дела?»',
      'В каком году человек впервые полетел в космос?',
      'Назови три синонима слова «быстрый».',
    ],
    zh: [
      '加拿大的首都是哪里？',
      '“画蛇添足”是什么意思？',
      '把“早上好，你好吗？”翻译成英文。',
      '长城大约有多长？',
      '给我三个“快”的近义词。',
    ],
    ja: [
      'カナダの首都はどこですか？',
      '「木漏れ日」とはどういう意味ですか？',
      '「おはようございます、お元気ですか」を英語に訳してください。',
      '富士山の高さは何メートルですか？',
      '「速い」の類義語を3つ教えてください。',
    ],
    hi: [
      'कनाडा की राजधानी क्या है?',
      '"जुगाड़" शब्द का मतलब क्या है?',
      '"सुप्रभात, आप कैसे हैं?" का अंग्रेज़ी में अनुवाद कीजिए।',
      'ताजमहल किसने बनवाया था?',
      '"तेज़" के तीन पर्यायवाची शब्द बताइए।',
    ],
  },
};

/** One arithmetic step, in the weak languages: the numbers are given, nothing to chain. */
const oneStepNative: Family = {
  id: 'one-step-native',
  kind: 'hard-math-trivial',
  label: 'instant',
  perTemplate: 4,
  slots: (r) => ({ a: r.int(12, 95), b: r.int(2, 9), p: r.pick([10, 15, 20, 25, 50]) }),
  templates: {
    de: ['Was ist {a} mal {b}?', 'Wie viel sind {p} % von {a}0?', 'Rechne {a} + {b}.'],
    ru: ['Сколько будет {a} умножить на {b}?', 'Сколько будет {p}% от {a}0?'],
    zh: ['{a}乘以{b}等于多少？', '{a}0的{p}%是多少？'],
    ja: ['{a}かける{b}はいくつですか？', '{a}0の{p}%はいくつですか？'],
    hi: ['{a} गुणा {b} कितना होता है?', '{a}0 का {p}% कितना है?'],
    en: [
      "what's {a} times {b}",
      '{p}% of {a}0?',
      'Quick one: {a} divided by {b}, rounded to one decimal.',
      'Convert {a} kilometres to metres.',
    ],
  },
};

/** Code questions a one-liner or a fact answers, phrased as people type them. */
const trivialCode: Family = {
  id: 'trivial-code-native',
  kind: 'hard-code-trivial',
  label: 'instant',
  perTemplate: 1,
  slots: () => ({}),
  templates: {
    en: [
      'how do i get the length of a list in python',
      'What does `git status` show?',
      'In JavaScript, how do I turn a string to upper case?',
      'Write a Python one-liner that reverses a string.',
      'What is the SQL to count the rows of a table called orders?',
      'How do I print "hello" in Rust?',
      'What does the `len()` function return for an empty dict?',
      'Give me the bash command to list hidden files.',
      'Write a function that returns the larger of two numbers.',
      'What is the default port of PostgreSQL?',
      'How do you comment out a line in YAML?',
      'Convert this to an arrow function: function add(a, b) { return a + b; }',
    ],
    de: [
      'Wie bekomme ich in Python die Länge einer Liste?',
      'Was macht der Befehl `git pull`?',
      'Schreib eine Funktion, die zwei Zahlen addiert.',
    ],
    ru: [
      'Как в Python получить длину списка?',
      'Что делает команда `git pull`?',
      'Напиши функцию, которая складывает два числа.',
    ],
    zh: [
      'Python里怎么获取列表的长度？',
      '`git pull` 命令是做什么的？',
      '写一个把两个数相加的函数。',
    ],
    ja: [
      'Pythonでリストの長さを取得するには？',
      '`git pull` コマンドは何をしますか？',
      '2つの数を足す関数を書いてください。',
    ],
    hi: [
      'Python में किसी सूची की लंबाई कैसे निकालें?',
      '`git pull` कमांड क्या करता है?',
      'दो संख्याओं को जोड़ने वाला एक फ़ंक्शन लिखिए।',
    ],
  },
};

/**
 * Easy asks wrapped in a few sentences of context (who is asking, why, what they tried): the
 * length and the sentence count of a prompt say little about its difficulty.
 */
const contextEasy: Family = {
  id: 'context-easy',
  kind: 'hard-trivial-reasoning',
  label: 'instant',
  perTemplate: 3,
  slots: (r, lang) => ({ ...names(r, lang), d: r.int(2, 12), n: r.int(3, 40) }),
  templates: {
    en: [
      'I am writing a card for my colleague {name}, who is leaving after {d} years. We were not close, but she was always kind. Can you suggest a warm two-line message?',
      'My landlord wants the rent paid by the 5th. I paid on the 7th this month because my salary came late. Please make this text sound more polite: "I paid late, sorry, it will not happen again."',
      'We are a small bakery and we post on Instagram twice a week. Tomorrow we launch a cinnamon roll. Write a short, cheerful caption with two hashtags.',
      'I keep mixing these up. In British English, is it "practise" or "practice" when it is a verb? One line is enough.',
      'My son is {d} and asked me why the sky is blue. I want to answer in one or two simple sentences he will understand. What should I say?',
      'Our team uses Slack and e-mail. I need to tell everyone that the office is closed on Friday for maintenance. Draft a short announcement.',
      'I just moved to Lisbon and I want to greet my neighbours. How do I say "good evening" in Portuguese? Also, is it formal?',
      'Here is my list for the weekend: laundry, call grandma, pay bills, buy bread, fix the bike. Sort it alphabetically, please.',
      'I read a review that said: "The hotel was clean, the staff were rude, and breakfast was fine." Overall, is this review positive, negative or mixed?',
      'I am preparing a quiz night. The theme is geography and I need {d} questions about capital cities with their answers. Keep them easy.',
    ],
    es: [
      'Estoy escribiendo una tarjeta para {name}, que se jubila después de {d} años. No éramos muy cercanos, pero siempre fue amable. ¿Me sugieres un mensaje cálido de dos líneas?',
      'Tenemos una panadería pequeña y publicamos en Instagram dos veces por semana. Mañana lanzamos un roscón nuevo. Escribe un texto corto y alegre con dos hashtags.',
    ],
    fr: [
      'J’écris une carte pour {name}, qui part après {d} ans. Nous n’étions pas proches, mais elle a toujours été gentille. Tu peux proposer un message chaleureux de deux lignes ?',
      'J’ai lu cet avis : « L’hôtel était propre, le personnel désagréable, le petit-déjeuner correct. » Globalement, est-il positif, négatif ou mitigé ?',
    ],
    de: [
      'Ich schreibe eine Karte für {name}, die nach {d} Jahren geht. Wir standen uns nicht nahe, aber sie war immer freundlich. Kannst du mir einen herzlichen Zweizeiler vorschlagen?',
      'Wir sind eine kleine Bäckerei und posten zweimal pro Woche auf Instagram. Morgen gibt es ein neues Zimtgebäck. Schreib einen kurzen, fröhlichen Text mit zwei Hashtags.',
    ],
    ru: [
      'Пишу открытку для {name}, которая уходит после {d} лет работы. Мы не были близки, но она всегда была доброй. Предложи тёплое пожелание в две строки.',
    ],
    zh: [
      '我在给同事{name}写一张卡片，她工作了{d}年要离职了。我们不算很熟，但她一直很友善。能帮我写两句温暖的话吗？',
    ],
    ja: [
      '{d}年勤めて退職する同僚の{name}さんにカードを書いています。あまり親しくはなかったけれど、いつも親切な人でした。温かい一言を2行で考えてもらえますか？',
    ],
    hi: [
      'मैं अपनी सहकर्मी {name} के लिए कार्ड लिख रहा हूँ, जो {d} साल बाद जा रही हैं। हम बहुत करीब नहीं थे, पर वे हमेशा दयालु रहीं। दो पंक्तियों का एक प्यारा संदेश सुझाइए।',
    ],
  },
};

/** One operation written with symbols: operators and digits without a chain of steps. */
const symbolsEasy: Family = {
  id: 'symbols-easy',
  kind: 'hard-math-trivial',
  label: 'instant',
  perTemplate: 4,
  slots: (r) => ({ a: r.int(2, 9), b: r.int(11, 99), c: r.int(2, 12) }),
  templates: {
    en: [
      'Compute {a}^3.',
      'What is {b} * {c}?',
      'Simplify {c}/{b}0 if you can, otherwise say it is already simplest.',
      'Evaluate $1/{a} + 1/{a}$.',
      'Is {b} an even number?',
      'Round {b}.{a}{c} to one decimal place.',
    ],
    de: ['Berechne {b} * {c}.', 'Ist {b} eine gerade Zahl?'],
    zh: ['计算 {b} × {c}。', '{b} 是偶数吗？'],
    ja: ['{b} × {c} を計算してください。', '{b}は偶数ですか？'],
    ru: ['Вычисли {b} * {c}.'],
    hi: ['{b} × {c} की गणना कीजिए।'],
  },
};

/** Code one line answers, with the symbols and numbers real snippets carry. */
const snippetEasy: Family = {
  id: 'snippet-easy',
  kind: 'hard-code-trivial',
  label: 'instant',
  perTemplate: 3,
  slots: (r) => ({
    v: r.pick(['items', 'users', 'rows', 'names']),
    n: r.int(2, 20),
    f: r.pick(['print', 'console.log', 'len', 'sum']),
  }),
  templates: {
    en: [
      'What does this print? `x = [1, 2, 3]; print(x[{n} % 3])`',
      'Rename the variable `{v}` to `all_{v}` in this line: `for item in {v}: print(item)`',
      'Add a semicolon where it is missing: `let total = {n}\nconsole.log(total);`',
      'Write a Python function that returns the square of a number.',
      'In Python, how do I take the first {n} elements of a list called {v}?',
      'What is the difference between `==` and `===` in JavaScript? One sentence.',
      'Write a SQL query that selects all columns from the table {v} where id = {n}.',
      'Fix the typo: `pritn("hello")`',
      'What does `{f}({v})` return if {v} is an empty list in Python?',
    ],
    de: ['Schreib eine Python-Funktion, die das Quadrat einer Zahl zurückgibt.'],
    es: ['Escribe una función en Python que devuelva el cuadrado de un número.'],
    fr: ['Écris une fonction Python qui renvoie le carré d’un nombre.'],
    zh: ['写一个返回一个数平方的 Python 函数。'],
    ja: ['数の2乗を返すPythonの関数を書いてください。'],
    ru: ['Напиши функцию на Python, которая возвращает квадрат числа.'],
  },
};

export const NATIVE_FAMILIES: readonly Family[] = [
  puzzles,
  shortMath,
  analysis,
  algorithms,
  longHard,
  longExtract,
  directNative,
  oneStepNative,
  trivialCode,
  contextEasy,
  symbolsEasy,
  snippetEasy,
];
