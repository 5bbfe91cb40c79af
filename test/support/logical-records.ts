/**
 * Records reduced to what they mean, so two record streams that say the same thing compare equal however
 * their values were cut into chunks, whether an element came as an integer or as its digits, and whatever
 * offsets they carry: the yardstick of round trips through a writer and a reader.
 */
import type { Element, RdbRecord, StreamGroup, StreamMeta } from '../../src/rdb/model.js';

const latin1Decoder = new TextDecoder('latin1');

/** An element as a lossless string: bytes as latin1, integers as their decimal digits. */
export function elementText(element: Element): string {
  return element instanceof Uint8Array ? latin1Decoder.decode(element) : element.toString();
}

interface LogicalKey {
  db: number;
  key: string;
  type: string;
  typeCode: number;
  expireMs: number | undefined;
  idle: number | undefined;
  freq: number | undefined;
  meta: string | undefined;
  metaClasses: number | undefined;
  module: unknown;
  value: unknown;
}

function group(g: StreamGroup): unknown {
  return {
    name: elementText(g.name),
    lastId: `${g.lastId.ms}-${g.lastId.seq}`,
    entriesRead: g.entriesRead,
    pending: g.pending.map((p) => [`${p.id.ms}-${p.id.seq}`, p.deliveryTimeMs, p.deliveryCount, p.consumer === undefined ? undefined : elementText(p.consumer)]),
    consumers: g.consumers.map((c) => ({ name: elementText(c.name), seen: c.seenTimeMs, active: c.activeTimeMs, pending: c.pending.map((id) => `${id.ms}-${id.seq}`) })),
  };
}

function meta(m: StreamMeta): unknown {
  const id = (v: { ms: bigint; seq: bigint } | undefined): string | undefined => (v === undefined ? undefined : `${v.ms}-${v.seq}`);
  return { length: m.length, lastId: id(m.lastId), firstId: id(m.firstId), maxDeletedId: id(m.maxDeletedId), entriesAdded: m.entriesAdded, groupCount: m.groupCount };
}

/** The meaning of a record stream: non-key records without offsets, and whole keys with values in one form. */
export function logicalRecords(records: Iterable<RdbRecord>): unknown[] {
  const out: unknown[] = [];
  let key: LogicalKey | undefined;
  let parts: unknown[] = [];
  let text = '';
  let deleted = 0;
  for (const record of records) {
    switch (record.kind) {
      case 'header':
        out.push({ kind: 'header', magic: record.magic, version: record.version });
        break;
      case 'aux':
        out.push({ kind: 'aux', key: elementText(record.key), value: elementText(record.value) });
        break;
      case 'function':
        out.push({ kind: 'function', code: elementText(record.code), preRelease: record.preRelease, engine: record.engine, library: record.library });
        break;
      case 'module-aux':
        out.push({ kind: 'module-aux', id: record.moduleId, when: record.when, body: elementText(record.body) });
        break;
      case 'resizedb':
        out.push({ kind: 'resizedb', keys: record.dbSize, expires: record.expiresSize });
        break;
      case 'slot-info':
        out.push({ kind: 'slot-info', slot: record.slot, keys: record.slotSize, expires: record.expiresSlotSize });
        break;
      case 'slot-import':
        out.push({ kind: 'slot-import', job: elementText(record.jobName), ranges: record.ranges });
        break;
      case 'selectdb':
      case 'raw':
        break;
      case 'eof':
        out.push({ kind: 'eof' });
        break;
      case 'key':
        key = {
          db: record.db,
          key: elementText(record.key),
          type: record.type,
          typeCode: record.typeCode,
          expireMs: record.expireMs,
          idle: record.idle,
          freq: record.freq,
          meta: record.meta === undefined ? undefined : elementText(record.meta),
          metaClasses: record.metaClasses,
          module: record.module,
          value: undefined,
        };
        parts = [];
        text = '';
        deleted = 0;
        break;
      case 'value': {
        const c = record.chunk;
        switch (c.type) {
          case 'string':
            text += elementText(c.value);
            break;
          case 'list':
            parts.push(...c.elements.map(elementText));
            break;
          case 'set':
            parts.push(...c.members.map(elementText));
            break;
          case 'zset':
            parts.push(...c.entries.map((e) => [elementText(e.member), e.score]));
            break;
          case 'hash':
            parts.push(...c.entries.map((e) => [elementText(e.field), elementText(e.value), e.expireMs]));
            break;
          case 'stream-entries':
            deleted += c.deleted;
            parts.push(...c.entries.map((e) => [`${e.id.ms}-${e.id.seq}`, e.fields.map(elementText), e.values.map(elementText)]));
            break;
          case 'stream-meta':
            parts.push({ meta: meta(c.meta) });
            break;
          case 'stream-group':
            parts.push({ group: group(c.group) });
            break;
          case 'module':
            parts.push({ id: c.moduleId, opcodes: c.opcodes, body: c.body === undefined ? undefined : elementText(c.body) });
            break;
        }
        break;
      }
      case 'key-end':
        if (key) {
          key.value = key.type === 'string' ? text : key.type === 'stream' ? { parts, deleted } : parts;
          out.push(key);
        }
        key = undefined;
        break;
    }
  }
  return out;
}
