import { defineConfigSlice, type ConfigSliceOf } from '../../config';

/** What the tier classifiers read of the configuration: the `routing` section. */
export const CLASSIFIERS_CONFIG = defineConfigSlice('CLASSIFIERS_CONFIG', (config) => ({
  routing: config.routing,
}));

export type ClassifiersSlice = ConfigSliceOf<typeof CLASSIFIERS_CONFIG>;
