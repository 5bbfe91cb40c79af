import type { RdbRecord } from '../rdb/model.js';

/*
 * The report every writer fills is the RDB writer's (src/rdb/write-report.ts): one shape for `convert --json`
 * whatever the format. Re-exported here for the writers of this folder.
 */
export { addWarning, countDropped, newWriteReport } from '../rdb/write-report.js';
export type { DropKind, WriteReport } from '../rdb/write-report.js';

/** Record batches as the readers yield them (`readRdbBatches`, the JSON dump reader): the input of every writer. */
export type RecordBatches = AsyncIterable<readonly RdbRecord[]>;
