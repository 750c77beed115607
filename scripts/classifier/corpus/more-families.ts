/**
 * More English-first families, written so that the corpus covers the everyday vocabulary of
 * each task kind (geometry, probability, recursion, sentiment, role-play…) in natural requests.
 */
import { names, type Family, type Rand } from './compose';

const WORDS = ['five', 'six', 'seven', 'eight', 'nine', 'eleven'];
const num = (r: Rand): Record<string, number> => ({
  a: r.int(3, 20),
  b: r.int(2, 15),
  c: r.int(4, 25),
  d: r.int(2, 9),
  k: r.int(5, 12),
});

const mathConcepts: Family = {
  id: 'math-concepts',
  kind: 'math-competition',
  label: 'thinking',
  slots: (r) => ({ ...num(r), N: r.pick([360, 720, 1001, 5040, 2310]), w: r.pick(WORDS) }),
  templates: {
    en: [
      'Show that there are infinitely many primes that leave remainder 3 modulo 4.',
      'Derive the perimeter of a regular polygon with {k} sides inscribed in a circle of radius {a}.',
      'A triangle has sides {a}, {a}+{b} and {c}. Is it possible? If so, calculate its largest angle and explain why step-by-step.',
      'What is the probability that {w} fair coins show at least {d} heads? Give your reasoning.',
      'How many ways can {k} people sit at a round table if two of them refuse to sit next to each other?',
      'Find all real numbers x such that x^2 - {a}x + {b} < 0 and x is an integer.',
      'Compute the determinant of the matrix [[{a}, {b}, 1], [{c}, {d}, 2], [1, 0, {k}]] and decide whether the system of equations it encodes has a unique solution.',
      'A sequence starts {a}, {b}, and each term is the sum of the two before it modulo {k}. Compute the 100th term.',
      'Find the polynomial of degree 3 with integer coefficients whose roots are {a}, {b} and -{d}, and derive its value at x = 2.',
      'How many divisors does {N} have, and how many of them are primes? Explain your count.',
      'Solve the equation {a}x + {b} = {c}x - {d} and the equations y = 2x, y + x = {k} together.',
    ],
    es: [
      '¿Cuántas maneras hay de sentar a {k} personas en una mesa redonda si dos no pueden estar juntas?',
    ],
    fr: [
      'Dans une classe, chaque élève a {d} crayons et {a} élèves en perdent {b} chacun. Combien reste-t-il de crayons si la classe en avait {c}0 au départ ?',
    ],
    zh: ['请计算：一个三角形两边长为{a}和{c}，夹角为60度，第三边长多少？'],
  },
};

const quantities: Family = {
  id: 'quantities',
  kind: 'multi-step-math',
  label: 'thinking',
  slots: (r, lang) => ({ ...num(r), ...names(r, lang), w: r.pick(WORDS), p: r.int(10, 40) }),
  templates: {
    en: [
      'A shop gives a {p}% discount and then adds 8 percent tax on the remaining price. {name} pays ${c}. What was the original price?',
      '{name} earns ${a} per hour and works {w} hours a day for {d} days. Rent is ${b} less than a third of that. After paying rent, how much is left over?',
      '{name} has {w} boxes with {a} apples each and gives away {b} fewer than half of them altogether. How many are remaining?',
      'A cyclist rides at {c} km per hour for {d} hours, then at {b} km per hour for {w} hours. What is the average speed for the trip?',
    ],
  },
};

const codeVocabulary: Family = {
  id: 'code-vocabulary',
  kind: 'code-algorithm',
  label: 'thinking',
  slots: (r) => ({
    lang: r.pick(['Python', 'Golang', 'Java', 'Rust']),
    task: r.pick([
      'parses nested JSON without recursion',
      'deduplicates events arriving out of order',
      'validates a Sudoku board',
      'flattens a tree of categories into paths',
    ]),
  }),
  templates: {
    en: [
      'Write a function that {task}, in {lang}. It must use at most O(n) memory.',
      'Write a script that {task} and ensure it handles malformed input.',
      'Which data structure would you use for a program that {task}? Give the method signatures and their complexity.',
      'Rewrite this recursion as a loop such that the result is identical for every input: def depth(t): return 1 + max(depth(c) for c in t.children) if t.children else 1',
      'My program throws an exception and fails on large inputs: it {task}. The error says index out of range and the output is incorrect for the last item. What is the bug?',
      'Compare a monolith versus microservices architecture for a team of {lang} developers; which strategy keeps latency at least as low as today?',
      'Choose numbers such that every row and column satisfy the sum 15, and explain why the arrangement works only if the centre is 5.',
      'Solve this puzzle: one of three guards always lies, one always tells the truth, and one answers at random. With two questions, find the truthful one.',
    ],
  },
};

const roleplay: Family = {
  id: 'roleplay',
  kind: 'roleplay',
  label: 'instant',
  slots: (r) => ({
    who: r.pick([
      'a pirate',
      'a tour guide in Rome',
      'a medieval knight',
      'a friendly librarian',
      'a weather presenter',
    ]),
  }),
  templates: {
    en: [
      'Act as {who} and greet me.',
      'You are {who}. Introduce yourself in two sentences.',
      'Stay in character as {who} and tell me about your day.',
      'Take on the role of {who} and welcome a new visitor.',
      'Adopt the persona of {who} and say goodbye.',
      'Embody {who} and describe the view from your window.',
    ],
  },
};

const directVocabulary: Family = {
  id: 'direct-vocabulary',
  kind: 'classification',
  label: 'instant',
  slots: (r) => ({
    s: r.pick([
      'The food was cold but the staff were lovely.',
      'Shipping took three weeks.',
      'Best purchase this year!',
      'The app keeps logging me out.',
    ]),
    word: r.pick(['serendipity', 'ephemeral', 'ubiquitous', 'pragmatic']),
    place: r.pick(['Timbuktu', 'the Eiffel Tower', 'Machu Picchu', 'Lake Baikal']),
    person: r.pick(['Ada Lovelace', 'Nikola Tesla', 'Marie Curie', 'Alan Turing']),
  }),
  templates: {
    en: [
      'Classify the sentiment of this review: "{s}"',
      'Which category does this ticket belong to (billing, shipping, account)? "{s}"',
      'Extract the product complaint from this email: "{s}"',
      'Based on this review, is the customer happy? "{s}"',
      'What is the meaning of the word "{word}"?',
      'Give me a simple definition of "{word}".',
      'Who was {person}?',
      'Where is {place}?',
      'When was {person} born, according to most sources?',
      'Paraphrase: "{s}"',
      'Summarize in five words: "{s}"',
      'Give me a one-line summary of: "{s}"',
      'Simplify this sentence: "{s}"',
      'Is this a good translation of "{word}" into Spanish: "efímero"?',
      'Hello! How are you today?',
      'Tell me a short story about {person} as a child.',
      'Tell me a joke about {place}.',
      'Write song lyrics about {place}, just one verse.',
      'Give me three ideas for a weekend trip near {place}.',
      'What is your favorite thing about {place}?',
      'Approximately how far is {place} from London? A rough figure is fine.',
    ],
  },
};

export const MORE_FAMILIES: readonly Family[] = [
  mathConcepts,
  quantities,
  codeVocabulary,
  roleplay,
  directVocabulary,
];
