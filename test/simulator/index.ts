export {
  DEFAULT_BEHAVIOR,
  pickBehavior,
  startSimulator,
  type RunningSimulator,
  type SimBehavior,
  type SimMode,
  type SimReasoning,
  type SimRequestRecord,
  type SimStats,
  type SimulatorOptions,
} from './simulator';
