// Emission on the dev chain, seen through @polkadot/api: block emission and the next halving
// from the runtime API, a subnet's flow score and pending emission, and an epoch that pays the
// owner 18 %, the miners half the rest by incentive and the validator the other half.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startAndConnect, stopDevNode } from './node.js';
import { findEvent, send } from './tx.js';

const ARN = 1_000_000_000n;
const PERQUINTILL = 1_000_000_000_000_000_000n;

/** Polls `check` (async, returns a value or undefined) every 250 ms until it returns a value. */
async function waitFor(what, check, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('emission through the runtime API and polkadot.js', () => {
  let node;
  let api;
  const k = {};
  let netuid;
  const minerUids = [];

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    for (const name of ['Alice', 'Bob', 'Charlie', 'Dave']) k[name] = keyring.addFromUri(`//${name}`);
    k.validatorHot = keyring.addFromUri('//Bob//emission-validator');
    k.minerHots = ['Charlie', 'Dave'].map((n) => keyring.addFromUri(`//${n}//emission-miner`));
    ({ node, api } = await startAndConnect(250));
  });

  after(() => stopDevNode({ node, api }));

  it('reports block emission, the cap and the next halving', async () => {
    const s = (await api.call.emissionApi.emissionState()).toJSON();
    assert.equal(BigInt(s.blockEmission), 1n * ARN, 'E0 = 1 ARN below the first halving');
    assert.equal(BigInt(s.supplyCap), 21_000_000n * ARN);
    assert.equal(s.halvings, 0);
    assert.equal(BigInt(s.nextHalving), 10_500_000n * ARN, 'first halving at 10.5M ARN');
    assert.equal(s.flowHalfLife, 216_000);
    // No subnet has a positive flow score yet: nothing minted, everything counted as unminted.
    assert.equal(BigInt(s.minted), 0n);
    assert.equal(BigInt(s.emitted), BigInt(s.unminted));
  });

  it('gives a subnet a flow score from registration burns and accumulates its emission', async () => {
    const events = await send(api, api.tx.subnets.registerNetwork(), k.Alice);
    netuid = findEvent(events, 'subnets', 'NetworkRegistered').data[0].toNumber();
    await send(api, api.tx.subnets.setHyperparameters(netuid, [{ Tempo: 8 }]), k.Alice);
    for (const hot of [k.validatorHot, ...k.minerHots]) {
      await send(api, api.tx.balances.transferKeepAlive(hot.address, 10n * ARN), k.Alice);
    }
    for (const [cold, hot] of [[k.Bob, k.validatorHot], [k.Charlie, k.minerHots[0]], [k.Dave, k.minerHots[1]]]) {
      const ev = findEvent(await send(api, api.tx.subnets.burnedRegister(netuid, hot.address), cold), 'subnets', 'NeuronRegistered');
      if (hot !== k.validatorHot) minerUids.push(ev.data.toJSON().uid ?? ev.data[1].toNumber());
    }
    const sub = await waitFor('a positive score and pending emission', async () => {
      const all = (await api.call.emissionApi.subnetEmissions()).toJSON();
      const e = all.find((x) => x.netuid === netuid);
      return e && BigInt(e.flowScore) > 0n && BigInt(e.pending) > 0n ? e : undefined;
    });
    // The only subnet with a positive score takes the whole block emission.
    assert.equal(BigInt(sub.share), PERQUINTILL);
    const info = (await api.call.subnetsApi.subnetInfo(netuid)).unwrap().toJSON();
    assert.equal(BigInt(info.emissionShare), PERQUINTILL);
    const s = (await api.call.emissionApi.emissionState()).toJSON();
    assert.ok(BigInt(s.minted) > 0n, 'emission is minted once a subnet has a positive score');
    assert.equal(BigInt(s.emitted), BigInt(s.minted) + BigInt(s.unminted));
  });

  it('pays an epoch: owner 18 %, miners by incentive, validator the rest', async () => {
    await send(api, api.tx.stake.addStake(k.validatorHot.address, netuid, 1_000n * ARN), k.Bob);
    await waitFor('a validator permit', async () => {
      const mg = (await api.call.subnetsApi.metagraph(netuid)).unwrap().toJSON();
      return mg.find((n) => n.hotkey === k.validatorHot.address)?.validatorPermit ? true : undefined;
    });
    const ownerBefore = (await api.query.system.account(k.Alice.address)).data.free.toBigInt();
    await send(api, api.tx.subnets.setWeights(netuid, minerUids, [1, 3], 0), k.validatorHot);

    // Watch for the next epoch of this subnet that pays miners.
    const payout = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no paying epoch within 90 s')), 90_000);
      api.query.system.events((records) => {
        for (const { event } of records) {
          if (event.section === 'emission' && event.method === 'EpochCompleted') {
            const d = event.data.toJSON();
            const p = d.payout ?? d[1];
            if ((d.netuid ?? d[0]) === netuid && BigInt(p.miners) > 0n) {
              clearTimeout(timer);
              resolve(p);
            }
          }
        }
      }).catch(reject);
    });

    const pending = BigInt(payout.pending);
    const owner = (pending * 18n) / 100n;
    const rest = pending - owner;
    assert.equal(BigInt(payout.owner), owner, 'owner cut 18 %');
    assert.equal(BigInt(payout.miners), rest / 2n, 'miners: half the rest');
    assert.equal(BigInt(payout.validators), rest - rest / 2n, 'validator: the other half');
    assert.equal(BigInt(payout.kept), 0n);

    // Metagraph: incentive 1/4 and 3/4, the validator's dividends 1, emissions as paid.
    const mg = (await api.call.subnetsApi.metagraph(netuid)).unwrap().toJSON();
    const byUid = Object.fromEntries(mg.map((n) => [n.uid, n]));
    const inc = minerUids.map((u) => BigInt(byUid[u].metrics.incentive));
    assert.deepEqual(inc, [PERQUINTILL / 4n, (PERQUINTILL * 3n) / 4n]);
    const v = mg.find((n) => n.hotkey === k.validatorHot.address);
    assert.equal(BigInt(v.metrics.dividends), PERQUINTILL);
    const m1 = BigInt(byUid[minerUids[0]].metrics.emission);
    const m2 = BigInt(byUid[minerUids[1]].metrics.emission);
    // (A later epoch may have run by now: compare ratios, not the amounts of that payout.)
    assert.ok(m1 > 0n, 'the miner with weight 1 earns');
    assert.ok(m2 > m1 * 2n && m2 < m1 * 4n, 'the miner with weight 3 earns three times more');

    // Payouts wait in escrow for two tempos, then miner rewards become the miners' stake and
    // the owner cut free balance.
    await waitFor('the miner reward released into stake', async () => {
      const charlie = (await api.call.stakeApi.stakeInfo(k.Charlie.address)).toJSON();
      return charlie.some((p) => p.netuid === netuid && BigInt(p.stake) > 0n) ? true : undefined;
    });
    await waitFor('the owner cut released', async () => {
      const ownerAfter = (await api.query.system.account(k.Alice.address)).data.free.toBigInt();
      return ownerAfter >= ownerBefore + owner - ARN / 10n ? true : undefined;
    });
  });
});
