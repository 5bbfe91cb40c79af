// cspell:words inpect
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/redis.js';
import { REPO_ROOT } from '../support/paths.js';

// The package as a user gets it: `npm pack` of the built checkout (npm test builds first), installed with
// `npm install -g` into a temporary prefix, then used as a command and as a library.

const FIXTURE = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');

let tarball: string;
let prefix: string;
let home: string;
let files: string[];

function redback(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(prefix, 'bin/redback'), args, {
    encoding: 'utf8',
    env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  if (!existsSync(path.join(REPO_ROOT, 'dist/src/index.js')) || !existsSync(path.join(REPO_ROOT, 'oclif.manifest.json'))) {
    throw new Error('dist/ or oclif.manifest.json is missing: run `npm run build` first (npm test does)');
  }
  const work = await makeTempDir('redback-package-');
  // --ignore-scripts: pack what the suite's build made; prepack would rebuild dist/ under the other tests.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: REPO_ROOT, encoding: 'utf8' })) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = path.join(work, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path).sort();
  prefix = path.join(work, 'prefix');
  home = path.join(work, 'home');
  mkdirSync(home);
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, stdio: 'pipe' });
}, 300_000);

describe('the packed package', () => {
  it('ships the compiled code, the manifest, README and LICENSE, and nothing else', () => {
    expect(files).toContain('bin/run.js');
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/index.d.ts');
    expect(files).toContain('dist/commands/check.js');
    expect(files).toContain('dist/src/rdb/crc-worker.js');
    // The bundled commands of the fast path (scripts/bundle-commands.mjs), with the CRC worker beside them.
    expect(files).toContain('dist/fast/check.js');
    expect(files).toContain('dist/fast/crc-worker.js');
    expect(files).toContain('oclif.manifest.json');
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('package.json');
    for (const file of files) {
      expect(file).toMatch(/^(bin\/run\.js|dist\/(src|commands)\/.*\.(js|d\.ts)|dist\/fast\/[\w-]+\.js|oclif\.manifest\.json|LICENSE|README\.md|package\.json)$/);
    }
    expect(files.filter((f) => f.startsWith('dist/bench') || f.startsWith('test') || f === 'bin/dev.js' || f.endsWith('.map'))).toEqual([]);
    const installed = path.join(prefix, 'lib/node_modules/redback');
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      expect(readFileSync(path.join(installed, file), 'utf8')).not.toMatch(/sourceMappingURL/);
    }
  });

  it('redback --version, check and inspect work from the global install', () => {
    const version = redback(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^redback\/0\.1\.0 \S+ node-v\d+/);
    const check = redback(['check', FIXTURE]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^valid/);
    const inspect = JSON.parse(redback(['inspect', FIXTURE, '--json']).stdout) as { schemaVersion: number; totals: { keys: number } };
    expect(inspect.schemaVersion).toBe(1);
    expect(inspect.totals.keys).toBe(51);
  });

  it('redback help, help inspect and -h describe the commands; the top level lists only commands that exist', () => {
    const help = redback(['help']);
    expect(help.code).toBe(0);
    const listed = [...help.stdout.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]).sort();
    // Every command of the checkout, and the plugins' help and autocomplete.
    const ours = readdirSync(path.join(REPO_ROOT, 'commands')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    expect(listed).toEqual([...ours, 'autocomplete', 'help'].sort());
    const description = help.stdout.split('\n')[0] as string;
    for (const word of description.matchAll(/\b(inspect|check|repair|fix|list|log|rewrite|convert|truncate|filter)\b/g)) {
      const command = word[1] === 'repair' ? 'fix' : word[1] === 'list' ? 'log' : (word[1] as string);
      expect(ours, `the description names '${word[1]}'`).toContain(command);
    }
    const inspect = redback(['help', 'inspect']);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain('--by-encoding');
    expect(inspect.stdout).toContain('EXAMPLES');
    expect(redback(['inspect', '-h']).stdout).toBe(inspect.stdout);
    expect(redback(['check', '--help']).stdout).toContain('USAGE');
  });

  it('a mistyped command gets a suggestion and exit code 2', () => {
    const typo = redback(['inpect', FIXTURE]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/'inpect' is not a redback command; did you mean 'inspect'\?/);
  });

  it('generates completion scripts for bash and zsh', () => {
    const bash = redback(['autocomplete', 'script', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toMatch(/redback/);
    const setup = redback(['autocomplete', 'bash']);
    expect(setup.code).toBe(0);
    const cache = path.join(home, '.cache/redback/autocomplete');
    expect(readdirSync(cache, { recursive: true }).map(String).join(' ')).toMatch(/bash/);
    const bashSetup = readFileSync(path.join(cache, 'bash_setup'), 'utf8');
    expect(bashSetup).toContain('redback');
    const zsh = redback(['autocomplete', 'script', 'zsh']);
    expect(zsh.code).toBe(0);
  });

  it("runs the README's library example, which agrees with inspect, and keeps deep imports closed", async () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const api = readme.slice(readme.indexOf('## API'));
    const example = /```js\n([\s\S]*?)```/.exec(api)?.[1];
    expect(example).toBeDefined();
    const app = await makeTempDir('redback-app-');
    mkdirSync(path.join(app, 'node_modules'));
    symlinkSync(path.join(prefix, 'lib/node_modules/redback'), path.join(app, 'node_modules/redback'));
    writeFileSync(path.join(app, 'package.json'), '{"type": "module"}');
    writeFileSync(path.join(app, 'example.js'), (example as string).replace("'dump.rdb'", JSON.stringify(FIXTURE)));
    const run = spawnSync(process.execPath, ['example.js'], { cwd: app, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const counted = Object.fromEntries(run.stdout.trim().split('\n').map((line) => [line.split('\t')[0], Number(line.split('\t')[1])]));
    const inspect = JSON.parse(redback(['inspect', FIXTURE, '--json']).stdout) as { totals: { byType: Record<string, { keys: number }> } };
    expect(counted).toEqual(Object.fromEntries(Object.entries(inspect.totals.byType).map(([type, t]) => [type, t.keys])));

    writeFileSync(path.join(app, 'deep.js'), "await import('redback/dist/src/errors.js');");
    const deep = spawnSync(process.execPath, ['deep.js'], { cwd: app, encoding: 'utf8' });
    expect(deep.status).not.toBe(0);
    expect(deep.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');

    // Stopping early closes the file: no "closed on garbage collection" warning after a forced collection.
    writeFileSync(
      path.join(app, 'early.js'),
      `import { readRdbFile, readAofFile } from 'redback';
async function stopEarly() {
  for await (const record of readRdbFile(${JSON.stringify(FIXTURE)})) if (record.kind === 'key') break;
  for await (const record of readAofFile(${JSON.stringify(FIXTURE)})) if (record.kind === 'aux') break;
}
for (let i = 0; i < 5; i++) await stopEarly();
for (let i = 0; i < 5; i++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log('done');`,
    );
    const early = spawnSync(process.execPath, ['--expose-gc', 'early.js'], { cwd: app, encoding: 'utf8' });
    expect(early.stdout.trim()).toBe('done');
    expect(early.stderr).not.toMatch(/garbage collection|Warning/);
  });
});
