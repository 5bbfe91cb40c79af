/**
 * redback as a library: the public API, and the only module a package user can import (`import … from
 * 'redback'`; deep imports are closed by the `exports` map of package.json). Everything here streams in
 * bounded memory and reports problems as {@link RedbackError}s that name the file and the byte offset.
 *
 * - Readers: {@link readRdbFile} and {@link readAofFile} stream the records of a file, own it and close it
 *   when the consumer stops; {@link readRdb} and {@link readAof} read from an {@link openInput} input
 *   (an RDB preamble, then the RESP that follows, from one input); the `…Sync` twins read bytes in memory.
 * - Operations: {@link checkRdb}, {@link checkAof} (verdicts), {@link inspectRdb}, {@link inspectAof}
 *   (summaries), {@link planFix} and {@link applyFix} (AOF repair) — the reports `redback … --json` prints.
 * - Inputs: {@link openInput} opens any file, LZ4 frames decompressed on the fly; {@link sniffInput} tells
 *   what a path holds; {@link resolveAof} lists the files of an AOF (single file or multi-part set).
 * - Writers: {@link AofWriter} and {@link writeAofSet} (RESP AOF files and multi-part sets, crash-safe);
 *   {@link convert} (`redback convert`: an RDB or JSON dump to any format of {@link OUTPUT_FORMATS}).
 */

export { ExitCode, RedbackError, TruncatedError, CorruptError, ChecksumError, UnsupportedError, InputOutputError, UsageError } from './errors.js';
export type { ExitCodeValue, Location } from './errors.js';

export { ChunkedInput, bufferSource, iterableSource } from './bytes/input.js';
export type { ByteSource } from './bytes/input.js';
export type { JsonBytes } from './bytes/text.js';

export { openInput, openSource } from './io/open.js';
export { sniffInput } from './io/sniff.js';
export type { InputKind } from './io/sniff.js';

export { readRdb, readRdbBatches, readRdbFile, readRdbSync, readRdbAll } from './rdb/reader.js';
export type { RdbReadOptions } from './rdb/reader.js';
export type { RdbParserOptions } from './rdb/parser.js';
export type {
  AuxRecord,
  Element,
  EofRecord,
  FunctionRecord,
  HashEntry,
  HeaderRecord,
  KeyEndRecord,
  KeyRecord,
  ModuleAuxRecord,
  RdbRecord,
  RdbWarning,
  ResizeDbRecord,
  SelectDbRecord,
  SlotImportRecord,
  SlotInfoRecord,
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamId,
  StreamMeta,
  StreamPendingEntry,
  ValueChunk,
  ValueRecord,
  ZsetEntry,
} from './rdb/model.js';
export { REDIS_RDB_VERSION_MAX, VALKEY_RDB_VERSIONS, RdbType, RdbOpcode, typeInfo } from './rdb/constants.js';
export type { RedisType, TypeInfo } from './rdb/constants.js';

export { readAof, readAofSync, AofWriter, encodeCommand } from './aof/resp.js';
export { readAofFile } from './input/aof-file.js';
export { readAofSet } from './input/aof-reader.js';
export type { AofFileInfo, AofSetCommand, AofSetEvent, ReadAofSetOptions } from './input/aof-reader.js';
export { identifyInput } from './input/detect.js';
export type { AofInputInfo, InputInfo, RdbInputInfo } from './input/detect.js';
export type { AofAnnotation, AofCommand, AofRecord, ReadAofOptions, AofWriterOptions, ByteSink } from './aof/resp.js';
export { resolveAof } from './aof/set.js';
export type { AofPart, AofSet } from './aof/set.js';
export { parseManifest, formatManifest, loadOrder } from './aof/manifest.js';
export type { Manifest, ManifestEntry, AofFileType } from './aof/manifest.js';
export { editAofSet, writeAofSet, replaceAofFile, writeAofFile, recoverAofEdit, pendingAofEdit } from './aof/set-edit.js';
export type {
  AofSetContent,
  AofSetLayout,
  AofSetWritten,
  EditOptions,
  FileContent,
  SetEditResult,
  SetEntry,
  WriteAofSetOptions,
} from './aof/set-edit.js';

export { checkRdb } from './operations/check-rdb.js';
export type { CheckRdbOptions, RdbCheckReport } from './operations/check-rdb.js';
export { checkAof } from './operations/check-aof.js';
export type { AofCheckReport, AofFileVerdict, CheckAofOptions, CommandWarning } from './operations/check-aof.js';
export { inspectRdb } from './operations/inspect-rdb.js';
export type { DatabaseReport, InspectRdbOptions, KeyInfo, KeyTotals, RdbInspectReport } from './operations/inspect-rdb.js';
export { inspectAof } from './operations/inspect-aof.js';
export type { AofFileReport, AofInspectReport, InspectAofOptions } from './operations/inspect-aof.js';
export { planFix, applyFix } from './operations/fix-aof.js';
export type { ApplyFixOptions, FixPlan, FixResult, FixTarget, PlanFixOptions } from './operations/fix-aof.js';
export { logAof } from './operations/log.js';
export type { LogEntry, LogOptions, LogSummary } from './operations/log.js';
export { planTruncate } from './operations/truncate.js';
export type { TruncateCut, TruncatePlan, TruncateTarget } from './operations/truncate.js';
export { planFilter } from './operations/filter.js';
export type { FilterOptions, FilterPlan, MixedCommand } from './operations/filter.js';
export { applyAofEdit } from './operations/aof-edit.js';
export type { AofEditPlan, AofEditResult, ApplyEditOptions, EditedFile, RemovedSummary } from './operations/aof-edit.js';
export { convert } from './operations/convert.js';
export type { ConvertOptions, ConvertReport } from './operations/convert.js';
export type { KeyFilterOptions } from './operations/key-filter.js';
export { OUTPUT_FORMATS } from './output/formats.js';
export type { OutputFormatName } from './output/formats.js';
export { RDB_TARGETS, TARGET_NAMES, resolveTarget } from './rdb/targets.js';
export type { RdbTarget } from './rdb/targets.js';
export type { DropKind, WriteReport } from './rdb/write-report.js';
