// Starts a real `arena-node --dev` for the polkadot.js tests and stops it afterwards.
import { spawn } from 'node:child_process';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { createServer } from 'node:net';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The node binary: $ARENA_NODE_BIN, else $CARGO_TARGET_DIR/debug/arena-node, else ../../target. */
export function nodeBinary() {
  if (process.env.ARENA_NODE_BIN) return process.env.ARENA_NODE_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR ?? resolve(import.meta.dirname, '../../../target');
  const bin = join(targetDir, 'debug', 'arena-node');
  if (!existsSync(bin)) throw new Error(`${bin} not found: build it with 'cargo build -p arena-node' or set ARENA_NODE_BIN`);
  return bin;
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Start `arena-node --dev --tmp` on free loopback ports; returns { url, stop, logTail }. */
export async function startDevNode(blockTimeMs = 500) {
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const logPath = join(tmpdir(), `arena-js-${process.pid}-${rpcPort}.log`);
  const log = openSync(logPath, 'w');
  const child = spawn(nodeBinary(), [
    '--dev', '--tmp', '--dev-block-time', String(blockTimeMs),
    '--rpc-port', String(rpcPort),
    '--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
    '--no-telemetry', '--no-prometheus', '--no-mdns',
  ], { stdio: ['ignore', 'ignore', log] });
  const exited = new Promise((res) => child.on('exit', res));
  process.on('exit', () => child.kill('SIGKILL'));
  return {
    url: `ws://127.0.0.1:${rpcPort}`,
    /** Whether the node process has exited (it should not have). */
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    logTail: () => readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n'),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Connect @polkadot/api to a node started by startDevNode, retrying while it boots. */
export async function connect(node, timeoutMs = 120_000) {
  const url = node.url;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const provider = new WsProvider(url, false);
    try {
      await provider.connect();
      await new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error('connect timeout')), 2000);
        provider.on('connected', () => { clearTimeout(t); res(); });
        provider.on('error', () => { clearTimeout(t); rej(new Error('ws error')); });
      });
      return await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
    } catch (e) {
      await provider.disconnect().catch(() => {});
      if (node.hasExited()) throw new Error(`arena-node exited: ${e}`);
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Start a dev node and connect to it; the error carries the node's log tail. Returns
 * { node, api }; stop with `stopDevNode`. */
export async function startAndConnect(blockTimeMs = 500) {
  const node = await startDevNode(blockTimeMs);
  try {
    return { node, api: await connect(node) };
  } catch (e) {
    const tail = node.logTail();
    await node.stop();
    throw new Error(`node did not come up: ${e}\n${tail}`);
  }
}

/** Disconnect and stop what `startAndConnect` started (either may be undefined). */
export async function stopDevNode({ node, api } = {}) {
  await api?.disconnect();
  await node?.stop();
}
