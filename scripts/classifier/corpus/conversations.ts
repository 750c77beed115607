/**
 * Conversation material: follow-ups that continue a task, topic switches, acknowledgements,
 * system prompts and declared tools. The labelling rule for a conversation: the latest user
 * turn decides, read in context. A follow-up that continues a multi-step task (asks to redo,
 * extend or check it) is `thinking`; a turn that switches topic is judged on its own; a bare
 * acknowledgement is `instant`.
 */
import type { Lang } from './compose';

/** Follow-ups that only make sense as a continuation of the previous task. */
export const CONTINUATIONS: Record<Lang, readonly string[]> = {
  en: [
    'Why?',
    'And what if n were 7 instead?',
    'Can you make it run in linear time?',
    'That does not look right, check step 2 again.',
    'What about an empty input?',
    'OK, now do the same for the general case.',
    'Can you prove that last step?',
    'Hmm, and with 5 weighings allowed?',
  ],
  es: [
    '¿Por qué?',
    '¿Y si n fuera 7?',
    '¿Puedes hacerlo en tiempo lineal?',
    'Eso no cuadra, revisa el paso 2.',
  ],
  fr: [
    'Pourquoi ?',
    'Et si n valait 7 ?',
    'Tu peux le faire en temps linéaire ?',
    'Ça ne colle pas, revérifie l’étape 2.',
  ],
  de: [
    'Warum?',
    'Und wenn n gleich 7 wäre?',
    'Geht das auch in linearer Zeit?',
    'Das stimmt nicht, prüf Schritt 2 noch mal.',
  ],
  pt: ['Por quê?', 'E se n fosse 7?', 'Dá para fazer em tempo linear?'],
  it: ['Perché?', 'E se n fosse 7?', 'Si può fare in tempo lineare?'],
  ru: [
    'Почему?',
    'А если n = 7?',
    'А можно за линейное время?',
    'Что-то не сходится, проверь второй шаг.',
  ],
  zh: ['为什么？', '如果 n 等于 7 呢？', '能做到线性时间吗？', '第二步好像不对，再检查一下。'],
  ja: ['なぜですか？', 'n が 7 だったら？', '線形時間でできますか？'],
  tr: ['Neden?', 'Peki n 7 olsaydı?'],
  vi: ['Tại sao?', 'Nếu n bằng 7 thì sao?'],
  ar: ['لماذا؟', 'وماذا لو كانت n تساوي 7؟'],
  hi: ['क्यों?', 'अगर n सात हो तो?'],
};

/** How a speaker marks that the next request has nothing to do with the previous one. */
export const SWITCH_MARKERS: Record<Lang, readonly string[]> = {
  en: [
    'Great, thanks! Unrelated: ',
    'Different question: ',
    'By the way, ',
    'Thanks. Changing the subject, ',
    'OK, new topic. ',
    'Something else: ',
  ],
  es: ['¡Genial, gracias! Otra cosa: ', 'Cambiando de tema, ', 'Por cierto, '],
  fr: ['Super, merci ! Autre chose : ', 'Rien à voir, mais ', 'Au fait, '],
  de: ['Super, danke! Andere Frage: ', 'Ganz anderes Thema: ', 'Übrigens, '],
  pt: ['Valeu! Outra coisa: ', 'Mudando de assunto, '],
  it: ['Grazie! Un’altra cosa: ', 'Cambiando argomento, '],
  ru: ['Спасибо! Другой вопрос: ', 'Кстати, '],
  zh: ['好的，谢谢！换个话题：', '另外问一下，', '顺便问一下，'],
  ja: ['ありがとう！話は変わりますが、', 'ところで、'],
  tr: ['Teşekkürler! Başka bir soru: ', 'Bu arada, '],
  vi: ['Cảm ơn! Câu hỏi khác: ', 'Nhân tiện, '],
  ar: ['شكرًا! سؤال آخر: ', 'بالمناسبة، '],
  hi: ['धन्यवाद! एक और सवाल: ', 'वैसे, '],
};

/** Turns that close a task without asking for anything. */
export const ACKNOWLEDGEMENTS: Record<Lang, readonly string[]> = {
  en: ['Thanks, that is all I needed!', 'Perfect, thank you.', 'Got it, cheers.'],
  es: ['¡Gracias, era justo lo que necesitaba!', 'Perfecto, gracias.'],
  fr: ['Merci, c’est exactement ce qu’il me fallait !', 'Parfait, merci.'],
  de: ['Danke, genau das brauchte ich!', 'Perfekt, danke.'],
  pt: ['Obrigado, era isso!'],
  it: ['Grazie, perfetto!'],
  ru: ['Спасибо, это всё, что нужно!'],
  zh: ['谢谢，这正是我需要的！'],
  ja: ['ありがとう、助かりました！'],
  tr: ['Teşekkürler, tam ihtiyacım olan buydu!'],
  vi: ['Cảm ơn, vậy là đủ rồi!'],
  ar: ['شكرًا، هذا كل ما أحتاجه!'],
  hi: ['धन्यवाद, बस यही चाहिए था!'],
};

/** Small follow-ups to an easy turn that stay easy. */
export const LIGHT_FOLLOW_UPS: Record<Lang, readonly string[]> = {
  en: ['Shorter, please.', 'Can you say it more casually?', 'And in Spanish?', 'One more, please.'],
  es: ['Más corto, por favor.', '¿Y en inglés?'],
  fr: ['Plus court, s’il te plaît.', 'Et en anglais ?'],
  de: ['Kürzer, bitte.', 'Und auf Englisch?'],
  pt: ['Mais curto, por favor.'],
  it: ['Più breve, per favore.'],
  ru: ['Покороче, пожалуйста.'],
  zh: ['再短一点。'],
  ja: ['もう少し短くしてください。'],
  tr: ['Daha kısa lütfen.'],
  vi: ['Ngắn hơn nhé.'],
  ar: ['أقصر من فضلك.'],
  hi: ['थोड़ा छोटा कर दीजिए।'],
};

/** An assistant's earlier answer, kept short: the classifier reads user turns. */
export const ANSWERS = [
  'Here is a worked answer with the steps laid out.',
  'Sure, here you go.',
  'Done; see above.',
];

export const SYSTEM_PROMPTS: readonly string[] = [
  'You are a helpful assistant.',
  'You are a concise assistant for a software company. Answer in the user’s language.',
  'You are a friendly customer-support agent for an online bookshop.',
  'You are a senior engineer. Be precise and show code when useful.',
  'You are a tutor for secondary-school students.',
  'Eres un asistente útil. Responde siempre en español.',
  'Tu es un assistant serviable et précis.',
  'Du bist ein hilfreicher Assistent.',
  '你是一个乐于助人的助手。',
];

export const TOOLS = [
  { name: 'web_search', description: 'Search the web and return the top results.' },
  { name: 'run_sql', description: 'Run a read-only SQL query against the analytics warehouse.' },
  { name: 'calculator', description: 'Evaluate an arithmetic expression.' },
  { name: 'get_weather', description: 'Current weather for a city.' },
].map((f) => ({ type: 'function' as const, function: f }));
