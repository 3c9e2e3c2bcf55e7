// Arena with the client subnet creators use: @polkadot/api against a real dev node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startAndConnect, stopDevNode } from './node.js';

const ARN = 1_000_000_000n;

describe('arena dev node via @polkadot/api', () => {
  let node;
  let api;

  before(async () => {
    await cryptoWaitReady();
    ({ node, api } = await startAndConnect());
  });

  after(() => stopDevNode({ node, api }));

  it('advertises the ARN token', async () => {
    const props = await api.rpc.system.properties();
    assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'ARN');
    assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 9);
    assert.equal(api.runtimeVersion.specName.toString(), 'arena');
  });

  it('exposes every pallet with documented calls in its metadata', async () => {
    const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
    for (const name of ['System', 'Timestamp', 'Aura', 'Grandpa', 'Balances', 'TransactionPayment', 'Sudo']) {
      assert.ok(pallets.includes(name), `${name} missing from ${pallets}`);
    }
    const undocumented = [];
    for (const [section, calls] of Object.entries(api.tx)) {
      for (const [method, call] of Object.entries(calls)) {
        if (!call.meta || call.meta.docs.length === 0) undocumented.push(`${section}.${method}`);
      }
    }
    assert.deepEqual(undocumented, [], 'calls without docs');
    assert.ok(api.tx.balances.transferKeepAlive.meta.docs.join(' ').length > 20);
  });

  it('produces and finalises blocks with no transactions', async () => {
    const first = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    await new Promise((r) => setTimeout(r, 2500));
    const later = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    assert.ok(later >= first + 2, `finalised head went from ${first} to ${later}`);
  });

  it('finalises a transfer signed by //Alice', async () => {
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    const ferdie = keyring.addFromUri('//Ferdie');
    const amount = 7n * ARN;
    const before = (await api.query.system.account(ferdie.address)).data.free.toBigInt();

    const events = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('transfer not finalised in 60 s')), 60_000);
      api.tx.balances
        .transferKeepAlive(ferdie.address, amount)
        .signAndSend(alice, ({ status, events, dispatchError }) => {
          if (dispatchError) {
            clearTimeout(timer);
            reject(new Error(`dispatch error: ${dispatchError.toString()}`));
          } else if (status.isFinalized) {
            clearTimeout(timer);
            resolve(events);
          }
        })
        .catch((e) => { clearTimeout(timer); reject(e); });
    });

    const names = events.map(({ event }) => `${event.section}.${event.method}`);
    assert.ok(names.includes('balances.Transfer'), names.join(', '));
    assert.ok(names.includes('system.ExtrinsicSuccess'), names.join(', '));
    const after = (await api.query.system.account(ferdie.address)).data.free.toBigInt();
    assert.equal(after - before, amount);
  });
});
