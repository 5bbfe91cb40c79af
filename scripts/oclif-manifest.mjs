// Writes oclif.manifest.json from the compiled commands (run by `npm run build`). With the manifest, oclif
// reads the commands' flags and help from one JSON file instead of importing every command at startup.
// The same as `oclif manifest` of oclif's developer CLI, without that package's dependencies.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
await plugin.load();
const commands = Object.keys(plugin.manifest.commands);
if (commands.length === 0) throw new Error('oclif-manifest: no commands found (was dist/commands built?)');
writeFileSync(new URL('../oclif.manifest.json', import.meta.url), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.log(`oclif.manifest.json: ${commands.join(', ')}`);
