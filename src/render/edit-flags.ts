import { Flags } from './flags.js';

/** The output, confirmation and backup flags of the commands that edit an AOF (truncate, filter). */
export const editFlags = {
  output: Flags.string({ char: 'o', description: 'Write the result here: a new directory for a set, a new file for a single AOF (the input is only read).' }),
  'in-place': Flags.boolean({ description: 'Edit the AOF itself, crash-safely, keeping the originals in a backup directory.', default: false }),
  yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation.', default: false }),
  'dry-run': Flags.boolean({ description: 'Print the plan; write nothing.', default: false }),
  'backup-dir': Flags.string({ description: 'With --in-place: where the originals go (default: beside the AOF directory or file, <name>.redback-backup-<time>).' }),
  'no-backup': Flags.boolean({ description: 'With --in-place: delete the originals instead of keeping them.', default: false }),
  compress: Flags.string({ description: 'Compress the files written (default: as the input was).', options: ['none', 'lz4'] }),
};
