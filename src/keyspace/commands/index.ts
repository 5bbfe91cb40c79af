import { bitCommands } from './bits.js';
import type { Handler } from './common.js';
import { functionCommands } from './functions.js';
import { geoCommands } from './geo.js';
import { hashCommands } from './hashes.js';
import { hllCommands } from './hll.js';
import { keyCommands } from './keys.js';
import { listCommands } from './lists.js';
import { setCommands } from './sets.js';
import { sortCommands } from './sort.js';
import { streamCommands } from './streams.js';
import { stringCommands } from './strings.js';
import { zsetCommands } from './zsets.js';

/** Every command the replay engine executes, by lower-case name. */
export const handlers: ReadonlyMap<string, Handler> = new Map(
  Object.entries({
    ...keyCommands,
    ...stringCommands,
    ...bitCommands,
    ...listCommands,
    ...setCommands,
    ...zsetCommands,
    ...hashCommands,
    ...streamCommands,
    ...hllCommands,
    ...geoCommands,
    ...functionCommands,
    ...sortCommands,
  }),
);
