// Bundles each compiled command (dist/commands/*.js) with the library code it imports into dist/fast/ (run by
// `npm run build`). The fast path of bin/run.js (src/render/fast-path.ts) imports a command from there: one
// module and a few shared chunks instead of some fifty files halves the time Node spends loading a command
// (see bench, "startup"). oclif (help, completion) and the library entry point keep using dist/commands and
// dist/src. The CRC64 worker is an entry of its own so that it sits beside the bundled code that starts it.
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const commands = readdirSync(`${dist}commands`).filter((name) => name.endsWith('.js'));
if (commands.length === 0) throw new Error('bundle-commands: no commands found (was dist/commands built?)');
rmSync(`${dist}fast`, { recursive: true, force: true });
// One build per command, so that a command loads one module (plus chunks for what it imports lazily), not
// chunks shared with the other commands.
const entries = [...commands.map((name) => [name.slice(0, -3), `${dist}commands/${name}`]), ['crc-worker', `${dist}src/rdb/crc-worker.js`]];
for (const [name, file] of entries) {
  await build({
    input: { [name]: file },
    // Packages stay where npm put them; node: built-ins are not bundled.
    external: [/^[^./]/],
    platform: 'node',
    logLevel: 'warn',
    output: { dir: `${dist}fast`, format: 'esm', entryFileNames: '[name].js', chunkFileNames: `${name}-[hash].js` },
  });
}
console.log(`dist/fast: ${commands.length} commands bundled`);
