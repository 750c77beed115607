import 'reflect-metadata';

/** What the compiler needs of a declared section (config-key.builders.ts makes them). */
export interface CompilableSection {
  readonly name: string;
  readonly shape: {
    readonly [key: string]: {
      readonly kind: string;
      readonly decorators: readonly PropertyDecorator[];
      readonly makeDefault?: () => unknown;
    };
  };
}

const compiled = new WeakMap<CompilableSection, new () => object>();

/**
 * The class-validator schema class of a declared section: its constructor assigns the keys'
 * defaults (`plainToInstance` constructs it, then assigns only the keys that were given) and
 * each property carries its key's checks. Every property has at least one decorator, because
 * validation runs with `forbidNonWhitelisted` and that is how unknown (for example misspelt)
 * keys are reported instead of silently ignored. Made once per section and cached.
 */
export function schemaClass(node: CompilableSection): new () => object {
  const existing = compiled.get(node);
  if (existing) return existing;
  const entries = Object.entries(node.shape);
  const SchemaClass = class {
    constructor() {
      for (const [key, child] of entries) {
        if (child.makeDefault) (this as Record<string, unknown>)[key] = child.makeDefault();
      }
    }
  };
  Object.defineProperty(SchemaClass, 'name', { value: node.name });
  compiled.set(node, SchemaClass);
  for (const [key, child] of entries) {
    // class-transformer's @Type reads the declared type to build a Map of the named entries.
    if (child.kind === 'map')
      Reflect.defineMetadata('design:type', Map, SchemaClass.prototype, key);
    // Applied bottom-up, as TypeScript applies decorators written above a property.
    for (const decorate of [...child.decorators].reverse()) decorate(SchemaClass.prototype, key);
  }
  return SchemaClass;
}
