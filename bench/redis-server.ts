/**
 * Starts a private redis-server on 127.0.0.1 (random free port, temp dir) for the generator.
 */
// cspell:words appendonly appenddirname daemonize logfile mkdtemp nosave redback dbfilename

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RespClient } from './resp-client.js';

export interface RedisServer {
  port: number;
  dir: string;
  process: ChildProcess;
  client: RespClient;
  /** SHUTDOWN NOSAVE (the AOF is still flushed), wait for the exit. */
  stop(): Promise<void>;
  /** Kill the server and remove its directory. */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options of {@link startRedis}. */
export interface StartOptions {
  /** Runs in the new server directory before the server starts (to put files there for it to load). */
  before?: (dir: string) => Promise<void>;
  /** How long the server may take to answer PING (loading a large AOF); default 5 s. */
  startTimeoutMs?: number;
}

/** Starts redis-server with the given extra config arguments (`['--appendonly', 'yes', ...]`). */
export async function startRedis(extra: string[], binary = 'redis-server', options: StartOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redback-bench-'));
  await options.before?.(dir);
  const tries = Math.ceil((options.startTimeoutMs ?? 5000) / 25);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--dbfilename', 'dump.rdb',
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--logfile', path.join(dir, 'redis.log'),
      '--enable-debug-command', 'yes',
      '--protected-mode', 'yes',
      '--databases', '16',
      ...extra,
    ];
    const child = spawn(binary, args, { stdio: 'ignore' });
    live.add(child);
    let exited = false;
    child.once('exit', () => {
      exited = true;
      live.delete(child);
    });
    let client: RespClient | undefined;
    for (let i = 0; i < tries && !exited; i++) {
      await sleep(25);
      try {
        client = await RespClient.connect(port);
        await client.call(['PING']);
        break;
      } catch {
        client?.close();
        client = undefined;
      }
    }
    if (client === undefined) {
      child.kill('SIGKILL');
      const log = await readFile(path.join(dir, 'redis.log'), 'utf8').catch(() => '');
      if (attempt < 3 && /Address already in use/.test(log)) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start:\n${log.split('\n').slice(-15).join('\n')}`);
    }
    const ready = client;
    const waitExit = (): Promise<void> =>
      exited ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      port,
      dir,
      process: child,
      client: ready,
      async stop() {
        await ready.call(['SHUTDOWN', 'NOSAVE']).catch(() => undefined);
        ready.close();
        await waitExit();
      },
      async dispose() {
        ready.close();
        if (!exited) {
          child.kill('SIGKILL');
          await waitExit();
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
