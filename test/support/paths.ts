import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Files written by other projects and by Redis, read from ../shared beside the checkout (never copied here). */
export const PEER_DIR = process.env.REDBACK_PEER_FIXTURES ?? path.resolve(REPO_ROOT, '../shared/fixtures/peer');
