import { Injectable, Logger, Scope, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import Ajv, { type ValidateFunction } from 'ajv';
import type { ToolDefinition } from '../common/openai';
import { declaredGatewayTools, GATEWAY_TOOL } from './gateway-tool.decorator';
import type { GatewayTool, GatewayToolOptions } from './gateway-tool.interface';
import { TOOL_NAME_PATTERN } from './tools.constants';
import { ToolMessages } from './tools.messages';

/** How many distinct unknown tool names are logged at most: the names come from callers. */
const MAX_WARNED_NAMES = 100;

/** A discovered, enabled tool with its compiled argument validator. */
export interface RegisteredTool {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  readonly timeoutMs?: number;
  readonly tool: GatewayTool<unknown>;
  readonly validate: ValidateFunction;
  /** The OpenAI `tools` entry the model sees. */
  readonly definition: ToolDefinition;
  /** Run only for keys whose `allowed_tools` name it (switched on per key, not globally). */
  readonly listedKeysOnly: boolean;
}

/** The registry refused a tool; the message names it and says why. Stops the boot. */
export class ToolRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolRegistrationError';
  }
}

/**
 * Every `@GatewayTool` provider of the application, found once at start-up through Nest's
 * `DiscoveryService` (as `@nestjs/schedule` finds its jobs). Names are unique, providers are
 * singletons and parameter schemas compile, or the application does not start.
 */
@Injectable()
export class ToolRegistry implements OnModuleInit {
  private readonly logger = new Logger('Tools');
  private readonly tools = new Map<string, RegisteredTool>();
  private notRegistered: string[] = [];
  /** Names already warned about by {@link warnAboutUnknownNames}; bounded, callers choose them. */
  private readonly warnedNames = new Set<string>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    // allErrors: the model gets every problem of its call at once. strict: a misspelt schema
    // keyword is a boot error, not a silently ignored constraint.
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, useDefaults: true });
    const owners = new Map<string, string>();
    const enabled: RegisteredTool[] = [];
    const wrappers = this.discovery.getProviders({ metadataKey: GATEWAY_TOOL.KEY });
    for (const wrapper of wrappers) {
      const options = this.discovery.getMetadataByDecorator(GATEWAY_TOOL, wrapper);
      if (!options) continue;
      const owner = ownerName(wrapper);
      const checked = this.check(options, wrapper, owner, owners, ajv);
      const availability = checked.tool.isEnabled?.() ?? true;
      if (availability === false) {
        this.logger.log(ToolMessages.disabled(options.name));
        continue;
      }
      enabled.push({ ...checked, listedKeysOnly: availability === 'listed-keys' });
    }
    enabled.sort((a, b) => a.name.localeCompare(b.name));
    for (const tool of enabled) this.tools.set(tool.name, tool);
    this.logger.log(ToolMessages.registered(enabled.map((t) => t.name)));
    this.warnAboutUndiscovered(wrappers);
  }

  /**
   * The decorated classes this process loaded that discovery did not find (their module is not
   * imported by the application), as `name (ClassName)`. Each was logged as a warning at start-up.
   */
  undiscovered(): readonly string[] {
    return this.notRegistered;
  }

  get(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** The registered tools, by name. */
  list(): RegisteredTool[] {
    return [...this.tools.values()];
  }

  /**
   * Warns, once per name, about `tools` entries that give only a name (the shorthand for a
   * registered tool) that no registered tool has: most likely a server-side tool whose module
   * is not imported, which the model would get as the caller's own tool with no schema.
   */
  warnAboutUnknownNames(tools: readonly ToolDefinition[] | undefined): void {
    if (!tools) return;
    for (const { function: fn } of tools) {
      if (fn.description !== undefined || fn.parameters !== undefined) continue;
      if (this.tools.has(fn.name) || this.warnedNames.has(fn.name)) continue;
      if (this.warnedNames.size >= MAX_WARNED_NAMES) return;
      this.warnedNames.add(fn.name);
      this.logger.warn(ToolMessages.unknownNameOnly(fn.name, [...this.tools.keys()]));
    }
  }

  /**
   * Whether the gateway runs the registered tool `name` for a caller whose key allows `allowed`
   * (its `allowed_tools`; undefined: no list, or no key). A tool switched on per key only runs
   * for keys that name it.
   */
  permits(name: string, allowed?: ReadonlySet<string>): boolean {
    const tool = this.tools.get(name);
    if (!tool) return false;
    return allowed ? allowed.has(name) : !tool.listedKeysOnly;
  }

  /**
   * A request's `tools` with each registered entry completed from the registry: an entry may
   * give only `{ type: 'function', function: { name } }`. What the caller did give is kept.
   */
  completeDefinitions(tools: readonly ToolDefinition[]): ToolDefinition[] {
    return tools.map((entry) => {
      const registered = this.tools.get(entry.function.name);
      if (!registered) return entry;
      const fn = entry.function;
      if (fn.description !== undefined && fn.parameters !== undefined) return entry;
      return {
        ...entry,
        function: {
          ...fn,
          description: fn.description ?? registered.description,
          parameters: fn.parameters ?? registered.parameters,
        },
      };
    });
  }

  /**
   * Discovery sees only the providers of imported modules: a tool whose module nobody imports
   * would silently become the caller's tool. Every decorated class that was loaded but not
   * discovered is named, with the fix.
   */
  private warnAboutUndiscovered(wrappers: readonly InstanceWrapper[]): void {
    const discovered = new Set<unknown>(wrappers.map((wrapper) => wrapper.metatype));
    this.notRegistered = [];
    for (const { type, name } of declaredGatewayTools()) {
      if (discovered.has(type)) continue;
      this.notRegistered.push(`${name} (${type.name})`);
      this.logger.warn(ToolMessages.notRegistered(name, type.name));
    }
  }

  private check(
    options: GatewayToolOptions,
    wrapper: InstanceWrapper,
    owner: string,
    owners: Map<string, string>,
    ajv: Ajv,
  ): Omit<RegisteredTool, 'listedKeysOnly'> {
    const { name } = options;
    if (typeof name !== 'string' || !TOOL_NAME_PATTERN.test(name)) {
      throw new ToolRegistrationError(ToolMessages.invalidName(String(name), owner));
    }
    const first = owners.get(name);
    if (first !== undefined) {
      throw new ToolRegistrationError(ToolMessages.duplicateName(name, first, owner));
    }
    owners.set(name, owner);
    if (
      wrapper.scope === Scope.REQUEST ||
      wrapper.isTransient ||
      !wrapper.isDependencyTreeStatic()
    ) {
      throw new ToolRegistrationError(ToolMessages.notSingleton(name, owner));
    }
    const tool = wrapper.instance as GatewayTool<unknown> | undefined;
    if (!tool || typeof tool.execute !== 'function') {
      throw new ToolRegistrationError(ToolMessages.noExecute(name, owner));
    }
    const parameters = options.parameters;
    if (parameters === null || typeof parameters !== 'object' || parameters.type !== 'object') {
      throw new ToolRegistrationError(ToolMessages.schemaNotObject(name));
    }
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(parameters);
    } catch (error) {
      throw new ToolRegistrationError(
        ToolMessages.invalidSchema(name, error instanceof Error ? error.message : String(error)),
      );
    }
    return {
      name,
      description: options.description,
      parameters,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      tool,
      validate,
      definition: {
        type: 'function',
        function: { name, description: options.description, parameters },
      },
    };
  }
}

function ownerName(wrapper: InstanceWrapper): string {
  const metatype = wrapper.metatype as { name?: string } | null;
  return metatype?.name ?? String(wrapper.name);
}
