import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { parseManifest } from '../../src/aof/manifest.js';
import { editAofSet, pendingAofEdit, recoverAofEdit, replaceAofFile, writeAofFile, writeAofSet } from '../../src/aof/set-edit.js';
import type { FsStep } from '../../src/aof/set-edit.js';
import { InputOutputError, UsageError } from '../../src/errors.js';
import { concat } from '../support/bytes.js';
import { checkAof } from '../../src/operations/check-aof.js';
import { makeTempDir, stopAll } from '../support/redis.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function commands(list: string[][]): Uint8Array[] {
  return list.flatMap((args) => encodeCommand(args));
}

describe('writing a multi-part AOF', () => {
  afterAll(stopAll); // removes the temp dirs, whatever happened

  it('lays files out as Redis names them and writes the manifest Redis would', async () => {
    const dir = await makeTempDir('redback-setw-');
    const base = await readFile(`${fixtures}redis-7.0-all-types.rdb`);
    const written = await writeAofSet(dir, { base: { format: 'rdb', chunks: [base] }, incrs: [commands([['SET', 'a', '1']]), commands([['SET', 'b', '2']])] }, { seq: 3 });
    expect((await readdir(dir)).sort()).toEqual(['appendonly.aof.3.base.rdb', 'appendonly.aof.3.incr.aof', 'appendonly.aof.4.incr.aof', 'appendonly.aof.manifest']);
    const manifest = await readFile(written.manifestPath, 'latin1');
    expect(manifest).toBe('file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\nfile appendonly.aof.4.incr.aof seq 4 type i\n');
    expect(parseManifest(new Uint8Array(Buffer.from(manifest, 'latin1'))).incr.map((e) => e.seq)).toEqual([3, 4]);
    const report = await checkAof(dir);
    expect(report.valid).toBe(true);
    expect(report.files.map((f) => f.kind)).toEqual(['rdb+resp', 'resp', 'resp']);
    // No temporary files are left behind.
    expect((await readdir(dir)).some((name) => name.includes('.tmp'))).toBe(false);
  });
});

/** A set of BASE (RESP) + three INCR files written by writeAofSet, and the bytes of each. */
async function smallSet(): Promise<{ dir: string; manifest: string; files: Map<string, Uint8Array> }> {
  const dir = await makeTempDir('redback-edit-');
  const parts = [
    concat(commands([['SET', 'base', '0']])),
    concat(commands([['SET', 'a', '1'], ['SET', 'a2', '2']])),
    concat(commands([['SET', 'b', '1'], ['SET', 'b2', '2']])),
    concat(commands([['SET', 'c', '1']])),
  ];
  const written = await writeAofSet(dir, { base: { format: 'aof', chunks: [parts[0] as Uint8Array] }, incrs: parts.slice(1).map((p) => [p]) });
  const files = new Map<string, Uint8Array>();
  for (const file of written.files) files.set(path.basename(file), new Uint8Array(await readFile(file)));
  return { dir, manifest: written.manifestPath, files };
}

const listing = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

describe('editing a set in place (the crash-safe edit every writing command uses)', () => {
  it('a file written in the middle takes the next INCR number; a kept INCR after it is copied under a newer one (Redis wants them increasing)', async () => {
    const { dir, manifest, files } = await smallSet();
    const backupDir = path.join(await makeTempDir('redback-edit-backup-'), 'b');
    const incr1 = files.get('appendonly.aof.1.incr.aof') as Uint8Array;
    const result = await editAofSet(
      manifest,
      { base: { keep: 'appendonly.aof.1.base.aof' }, incr: [{ content: { rangesOf: path.join(dir, 'appendonly.aof.1.incr.aof'), ranges: [{ start: 0, end: 27 }] } }, { keep: 'appendonly.aof.2.incr.aof' }, { keep: 'appendonly.aof.3.incr.aof' }] },
      { backupDir },
    );
    expect(await readFile(manifest, 'latin1')).toBe(
      'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.4.incr.aof seq 4 type i\nfile appendonly.aof.5.incr.aof seq 5 type i\nfile appendonly.aof.6.incr.aof seq 6 type i\n',
    );
    expect(result.files.map((f) => [f.name, f.written])).toEqual([
      ['appendonly.aof.1.base.aof', false],
      ['appendonly.aof.4.incr.aof', true],
      ['appendonly.aof.5.incr.aof', true],
      ['appendonly.aof.6.incr.aof', true],
    ]);
    expect(Buffer.from(await readFile(path.join(dir, 'appendonly.aof.4.incr.aof'))).equals(Buffer.from(incr1.subarray(0, 27)))).toBe(true);
    expect(Buffer.from(await readFile(path.join(dir, 'appendonly.aof.5.incr.aof'))).equals(Buffer.from(files.get('appendonly.aof.2.incr.aof') as Uint8Array))).toBe(true);
    // Nothing else is left in the directory; the backup holds the three INCR files and the old manifest, as they were.
    expect(await listing(dir)).toEqual(['appendonly.aof.1.base.aof', 'appendonly.aof.4.incr.aof', 'appendonly.aof.5.incr.aof', 'appendonly.aof.6.incr.aof', 'appendonly.aof.manifest']);
    expect(await listing(backupDir)).toEqual(['appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.3.incr.aof', 'appendonly.aof.manifest']);
    for (const name of ['appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.3.incr.aof']) {
      expect(Buffer.from(await readFile(path.join(backupDir, name))).equals(Buffer.from(files.get(name) as Uint8Array))).toBe(true);
    }
    expect((await checkAof(dir)).valid).toBe(true);
  });

  it('a rewrite: a new BASE and an empty INCR replace the whole set, HISTORY dropped too; a layout naming the live set changes nothing', async () => {
    const { dir, manifest } = await smallSet();
    const same = await editAofSet(manifest, { base: { keep: 'appendonly.aof.1.base.aof' }, incr: ['appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.3.incr.aof'].map((keep) => ({ keep })) }, { noBackup: true });
    expect(same.changed).toBe(false);
    await writeFile(manifest, `${await readFile(manifest, 'latin1')}file appendonly.aof.0.base.aof seq 7 type h\n`, 'latin1');
    await writeFile(path.join(dir, 'appendonly.aof.0.base.aof'), '');
    const base = concat(commands([['SET', 'everything', '1']]));
    await editAofSet(manifest, { base: { content: { chunks: [base] }, format: 'aof' }, incr: [{ content: { chunks: [] } }], history: 'drop' }, { noBackup: true });
    expect(await readFile(manifest, 'latin1')).toBe('file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.4.incr.aof seq 4 type i\n');
    expect(await listing(dir)).toEqual(['appendonly.aof.2.base.aof', 'appendonly.aof.4.incr.aof', 'appendonly.aof.manifest']);
  });

  it('refuses a layout naming a file the manifest does not name, and a backup directory that already holds a file of the same name; nothing changes', async () => {
    const { dir, manifest } = await smallSet();
    const before = await listing(dir);
    await expect(editAofSet(manifest, { incr: [{ keep: 'nope.aof' }] }, { noBackup: true })).rejects.toThrow(UsageError);
    const backupDir = await makeTempDir('redback-edit-clash-');
    await writeFile(path.join(backupDir, 'appendonly.aof.3.incr.aof'), 'something else');
    await expect(editAofSet(manifest, { base: { keep: 'appendonly.aof.1.base.aof' }, incr: [{ keep: 'appendonly.aof.1.incr.aof' }] }, { backupDir })).rejects.toThrow(/already holds appendonly\.aof\.3\.incr\.aof/);
    expect(await listing(dir)).toEqual(before);
    expect(await listing(backupDir)).toEqual(['appendonly.aof.3.incr.aof']);
  });

  it('an edit interrupted before its commit is undone by the next one; interrupted after it, finished (steps made to fail here; the crash test kills a real process)', async () => {
    const layout = { base: { keep: 'appendonly.aof.1.base.aof' }, incr: [{ keep: 'appendonly.aof.1.incr.aof' }] };
    // Steps: journal, mkdir backup, backup manifest (create, write), new manifest (create, write), rename = the commit, …
    for (const [stopAt, committed] of [[2, false], [5, false], [7, false], [8, true]] as const) {
      const { dir, manifest } = await smallSet();
      const oldManifest = await readFile(manifest, 'latin1');
      const backupDir = path.join(await makeTempDir('redback-edit-stop-'), 'b');
      let steps = 0;
      const seen: FsStep[] = [];
      const onStep = (step: FsStep): void => {
        seen.push(step);
        if (++steps === stopAt) throw new Error(`stopped before ${step.action} ${path.basename(step.path)}`);
      };
      await expect(editAofSet(manifest, layout, { backupDir, onStep })).rejects.toThrow(/stopped before/);
      expect(await pendingAofEdit(manifest)).toMatchObject({ journal: `${manifest}.redback-journal` });
      expect((await readFile(manifest, 'latin1')) === oldManifest, `stopped at step ${stopAt} (${seen.map((s) => s.action).join(', ')})`).toBe(!committed);
      const recovered = await recoverAofEdit(manifest);
      expect(recovered?.outcome).toBe(committed ? 'completed' : 'rolled-back');
      expect(await pendingAofEdit(manifest)).toBeUndefined();
      const names = await listing(dir);
      expect(names).toEqual(committed ? ['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest'] : [...['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.3.incr.aof', 'appendonly.aof.manifest']]);
      if (committed) expect(await listing(backupDir)).toEqual(['appendonly.aof.2.incr.aof', 'appendonly.aof.3.incr.aof', 'appendonly.aof.manifest']);
      else expect(await stat(backupDir).catch(() => undefined)).toBeUndefined();
    }
  });

  it('refuses while the process that wrote the journal still runs, and takes over once it is gone', async () => {
    const { manifest } = await smallSet();
    let alive = true;
    const owner = (pid: number) => ({ pid, isRunning: () => alive });
    await expect(
      editAofSet(manifest, { incr: [{ keep: 'appendonly.aof.1.incr.aof' }] }, { noBackup: true, owner: owner(1), onStep: (step) => {
        if (step.action === 'create' && !step.path.endsWith('journal')) throw new Error('crash');
      } }),
    ).rejects.toThrow('crash');
    const busy = editAofSet(manifest, { incr: [{ keep: 'appendonly.aof.1.incr.aof' }] }, { noBackup: true, owner: owner(2) });
    await expect(busy).rejects.toThrow(InputOutputError);
    await expect(busy).rejects.toThrow(/another redback edit of these files is in progress \(process 1 /);
    alive = false;
    const done = await editAofSet(manifest, { incr: [{ keep: 'appendonly.aof.1.incr.aof' }] }, { noBackup: true, owner: owner(2) });
    expect(done.recovered?.outcome).toBe('rolled-back');
    expect(await readFile(manifest, 'latin1')).toBe('file appendonly.aof.1.incr.aof seq 1 type i\n');
  });
});

describe('replacing a single-file AOF', () => {
  it('keeps the original under a second name in the backup directory (a hard link), then renames the new content over it', async () => {
    const dir = await makeTempDir('redback-replace-');
    const file = path.join(dir, 'appendonly.aof');
    const original = concat(commands([['SET', 'a', '1'], ['SET', 'b', '2']]));
    await writeFile(file, original);
    const before = await stat(file);
    const backupDir = path.join(dir, 'appendonly.aof.redback-backup');
    const result = await replaceAofFile(file, { rangesOf: file, ranges: [{ start: 0, end: 27 }] }, { backupDir });
    expect(result.backup).toBe(path.join(backupDir, 'appendonly.aof'));
    expect((await stat(path.join(backupDir, 'appendonly.aof'))).ino).toBe(before.ino);
    expect(Buffer.from(await readFile(file)).equals(Buffer.from(original.subarray(0, 27)))).toBe(true);
    expect(await listing(dir)).toEqual(['appendonly.aof', 'appendonly.aof.redback-backup']);
    // Output elsewhere never replaces a file unless asked.
    await expect(writeAofFile(file, { chunks: [original] })).rejects.toThrow(/already exists/);
    await writeAofFile(path.join(dir, 'out', 'copy.aof'), { copyOf: file });
    expect(await readFile(path.join(dir, 'out', 'copy.aof'))).toEqual(await readFile(file));
  });
});
