/**
 * Cue words of the rule features, grouped by the linguistic idea each group encodes (the label
 * definition of `data/tiering/README.md`). Each entry is one to three tokens, tokenised and
 * folded exactly like a prompt, so `Show that` and `show  that` both hit `show that`.
 *
 * What belongs here: closed-class words and set phrases that carry the idea in any prompt of
 * the language (question words for quantities, verbs of proving, discourse markers of a topic
 * change), and the core vocabulary of a domain. What does not: wording of a benchmark's
 * template or of a single evaluation prompt. `lexicon.spec.ts` fails when an entry occurs in a
 * dev-set prompt but in no prompt of the training corpus, so an entry can only earn its place
 * from data the model is trained on. Non-English forms are single words or short phrases; the
 * language-independent features (digits, operators, structure) and the n-grams carry the rest.
 */
const p = (list: string): readonly string[] => list.split('|').map((s) => s.trim());

export const CUE_GROUPS = {
  /** Verbs and nouns of demonstration: the answer is an argument that must hold in general. */
  proof: p(
    'prove | proof | prove that | show that | demonstrate that | disprove | rigorous | ' +
      'rigorously | irrational | infinitely many | lemma | induction | by contradiction | ' +
      'demuestra | demuestra que | démontre | démontrer | beweise | beweisen | докажите | ' +
      'докажи | dimostra | prove que | kanıtla | kanıtlayın | chứng minh | أثبت | सिद्ध | 证明 | 証明',
  ),
  /** Asks to lay the reasoning out: the request itself calls for intermediate steps. */
  stepwise: p(
    'step by step | step-by-step | show your work | walk through | your reasoning | justify | ' +
      'explain why | work out | derive | paso a paso | étape par étape | schritt für schritt | ' +
      'passo a passo | пошагово | begründe | обоснуй | justifie | razona | 理由 | कारण सहित | ' +
      'क़दम-दर-क़दम | तर्क',
  ),
  /** Mathematical objects and relations: what number and geometry problems are made of. */
  math: p(
    'divisors | divisible | prime | primes | modulo | remainder | gcd | factorial | ' +
      'perfect square | integer | integers | equation | equations | polynomial | inequality | ' +
      'triangle | angle | perimeter | radius | polygon | diagonals | probability | ' +
      'how many ways | find all | subsets | permutations | combinations | expected value | ' +
      'real numbers | real x | derivative | integral | matrix | sequence | lattice | resto | ' +
      'reste | остаток | 余数 | 余り | kalan | số dư | باقي | शेषफल | entiers | ganzen | ' +
      'teiler | делителей | 因数 | 約数 | भाजक | letzte ziffer | последняя цифра | 个位 | 一の位 | ' +
      'विभाज्य | अभाज्य | शेष | इकाई का अंक | reellen zahlen | nombres réels | números reales | ' +
      'numeri reali | números reais | действительных чисел | 实数 | 実数',
  ),
  /** Question words asking for a computed quantity, across languages. */
  ask: p(
    'how many | how much | how long | how far | calculate | compute | solve | ' +
      'combien | cuántos | cuántas | cuánto | quantos | quantas | quanto | quanti | quante | ' +
      'wie viele | wie viel | wie lange | сколько | kaç | bao nhiêu | كم | कितने | कितना | ' +
      '多少 | 几个 | 多久 | 计算 | 何分 | いくら | いくつ | 何通り | 何日 | 几天 | कितनी | 何人 | ' +
      'löse | berechne | resuelve | calcula | résous | calcule | risolvi | calcola | resolva | ' +
      'реши | вычисли | 求解 | hesapla | çöz | احسب',
  ),
  /** Quantities and relations between them: the stuff of multi-step word problems. */
  quantity: p(
    'each | per | total | in total | twice | half | times as | percent | remaining | left over | ' +
      'altogether | average | ratio | rate | more than | less than | fewer | cost | costs | ' +
      'salary | discount | per minute | per hour | cada | chaque | pièce | ' +
      'insgesamt | каждый | в минуту | 每 | 一共 | 合計 | 毎分 | tanesi | mỗi',
  ),
  /** Asks to produce a program or an algorithm (beyond a lookup: the rule calls it code writing). */
  codeTask: p(
    'implement | write a function | a function that | function that | write a program | ' +
      'write code | write a script | algorithm | data structure | a class | design an algorithm | ' +
      'refactor | property tests | edge cases | algoritmo | algorithme | algorithmus | алгоритм | ' +
      'fonction | función | funktion | função | funzione | функцию | 函数 | 関数 | fonksiyon | hàm | ' +
      'دالة | फ़ंक्शन',
  ),
  /** Programming vocabulary: the request is about code. */
  code: p(
    'function | program | class | method | python | javascript | typescript | java | rust | ' +
      'golang | sql | query | script | complexity | recursion | recursive | array | ' +
      'linked list | tree | graph | cache | tests | async | thread | threads | def | return | ' +
      'lambda | const',
  ),
  /** Something is broken: symptoms, failures and the wish to find a cause. */
  debug: p(
    'bug | bugs | debug | fix | error | exception | fails | failing | fail | crash | crashes | ' +
      'wrong result | incorrect | traceback | race condition | deadlock | leak | ' +
      "doesn't work | not working | why does | root cause | cause | " +
      'problema | problème | fehler | ошибка | 问题 | 原因 | neden | ursache | причину | причина | ' +
      'السبب',
  ),
  /** Planning and design under trade-offs: several options weighed against each other. */
  design: p(
    'design | architect | architecture | trade-off | tradeoff | trade-offs | tradeoffs | ' +
      'compare | versus | recommend | strategy | optimize | optimise | scalable | latency | ' +
      'throughput | budget | failure modes | schedule | plan | diseñarías | concevrais | ' +
      'entwirf | projetaria | progetteresti | спроектировал | 设计 | 設計 | tasarlanır | ' +
      'abwägen | wäge | nachteile | плюсы и минусы | 权衡 | 利弊 | 取舍 | 利点 | ' +
      'फ़ायदे | pros and cons | avantages | ventajas | योजना | तुलना',
  ),
  /** Conditions a solution must satisfy together. */
  constraints: p(
    'must | at most | at least | without | exactly | no more | cannot | such that | ' +
      'satisfy | constraint | constraints | requirement | requirements | only if | unless | ' +
      'ensure | never | nobody | no two | mindestens | höchstens | niemand | не больше | хотя бы | ' +
      'наименьшее | никто | 至少 | 最多 | 最少 | 不能 | 最低 | 最短 | 確実 | कम से कम | अधिकतम | ' +
      'al menos | como máximo | au moins | au plus | almeno | pelo menos | शर्त | शर्तें',
  ),
  /**
   * Deduction: truth-telling, ordering and elimination; and inference from evidence, the same
   * act on data (infer, a hypothesis, rule the other explanations out).
   */
  logic: p(
    'truth | lying | lies | liar | deduce | implies | puzzle | riddle | who tells | ' +
      'right after | order | which is larger | weighings | counterfeit | rule out | ' +
      'mentira | lügt | лжёт | 推理 | wahrheit | ritter | schurke | правду | лжец | рыцари | ' +
      '真话 | 骗子 | 本当 | 嘘 | 騎士 | 悪党 | सच | झूठा | verdad | vérité | verità | ' +
      'infer | hypothesis | hypotheses | infiere | hipótesis | descarta | déduis | déduire | ' +
      'hypothèse | hypothèses | folgere | hypothese | deduci | ipotesi | escludi | выведи | ' +
      'исключи | гипотезу | гипотезы | 推断 | 排除 | 假设 | 推論 | 仮説 | निष्कर्ष | खारिज',
  ),
  /** Greetings, thanks and acknowledgements: social turns that need no work. */
  greeting: p(
    'hi | hello | hey | thanks | thank you | cheers | got it | good morning | good evening | ' +
      'how are | bonjour | salut | merci | hola | gracias | hallo | danke | ciao | grazie | ' +
      'olá | oi | obrigado | valeu | привет | спасибо | merhaba | teşekkürler | xin chào | ' +
      'cảm ơn | مرحبا | شكرا | شكرًا | नमस्ते | धन्यवाद | 你好 | 谢谢 | ありが | こんに',
  ),
  /** Transformations of given text: translate, rewrite, summarise, format. */
  rewrite: p(
    'rewrite | rephrase | paraphrase | translate | translation | summarise | summarize | ' +
      'summary | gist | tl;dr | shorten | simplify | proofread | grammar | polish | formal | ' +
      'politely | convert | format | reformat | rename | traduce | traduis | traduza | traduci | ' +
      'übersetze | переведи | çevir | dịch | ترجم | अनुवाद | 翻译 | 翻訳 | resume | résume | ' +
      'fasse | перескажи | 总结 | reescribe | reformule | formuliere',
  ),
  /** Answering from a given text: extraction, listing, classification. */
  extract: p(
    'extract | pull out | list the | list all | mentioned | according to | based on | ' +
      'classify | label each | category | categories | sentiment | tone | positive | negative | ' +
      'neutral | notes | e-mail | email | thread | extrae | relève | mencionan | mentionnés | ' +
      'genannt | упоминаются | 提到 | 列出 | 抜き出 | निकालकर | выпиши | liste alle | estrai',
  ),
  /** Lookups and definitions: wh-questions about a fact. */
  lookup: p(
    'what is | what are | what does | who wrote | who was | who proposed | when did | ' +
      'when was | where is | which planet | define | definition | meaning | stand for | ' +
      'capital of | qué es | cuál es | quién | qu’est-ce | quelle est | qui a | was ist | ' +
      'wer hat | что такое | кто | o que é | qual é | chi ha | 什么是 | 是谁 | とは | nedir | là gì | ما هو | क्या है | ' +
      'wie heißt | was bedeutet | что означает | какая столица | 哪里 | 意思 | どこ | 意味 | मतलब | राजधानी',
  ),
  /** Casual writing: short pieces whose quality is tone, not reasoning. */
  creative: p(
    'poem | haiku | limerick | story | tweet | slogan | joke | song | lyrics | birthday | ' +
      'message | greeting card | out-of-office | poema | poème | gedicht | стихотворение | 诗 | şiir | thơ',
  ),
  /** Role-play. */
  roleplay: p('act as | pretend | role | persona | you are | as if | embody | character'),
  /** Open, advice-style questions that a direct answer serves. */
  open: p(
    'tips | advice | suggest | ideas | benefits | favourite | favorite | consejo | conseils | ' +
      'tipps | dicas | consiglio | советы | 建议 | önerin | mẹo',
  ),
  /** Estimates built from assumptions. */
  estimate: p('estimate | roughly | approximately | assumptions'),
  /** English number words, counted with the digits as quantities. */
  numberWord: p(
    'one | two | three | four | five | six | seven | eight | nine | ten | eleven | twelve | ' +
      'twenty | hundred | thousand | million | half | third | quarter | twice | thrice',
  ),
  /**
   * Discourse markers of a topic change: what follows is a new request, not a follow-up.
   * Japanese ところで ("by the way") is four kana, one token each, and entries hold at most three:
   * its last three (ころで) stand for it; they occur in no other common word.
   */
  topicSwitch: p(
    'unrelated | different question | by the way | changing the subject | new topic | ' +
      'something else | another question | otra cosa | cambiando de tema | por cierto | ' +
      'autre chose | rien à voir | au fait | andere frage | anderes thema | übrigens | ' +
      'outra coisa | mudando de assunto | un’altra cosa | cambiando argomento | ' +
      'другой вопрос | кстати | 换个 | 另外 | başka bir | bu arada | câu hỏi khác | ' +
      'nhân tiện | سؤال آخر | بالمناسبة | एक और | वैसे | 話は変 | 別の質 | ころで | 顺便',
  ),
};
export type CueGroup = keyof typeof CUE_GROUPS;
export const CUE_GROUP_NAMES = Object.keys(CUE_GROUPS) as CueGroup[];
