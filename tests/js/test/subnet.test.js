// A subnet creator's session with @polkadot/api: create and configure a subnet, let a validator
// and three miners join, stake, wait for the epoch that grants permits, set weights, and read
// everything back through the runtime APIs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startAndConnect, stopDevNode } from './node.js';
import { findEvent, send } from './tx.js';

const ARN = 1_000_000_000n;

describe('a subnet created and joined through @polkadot/api', () => {
  let node;
  let api;
  const k = {};
  let netuid;

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve']) k[name] = keyring.addFromUri(`//${name}`);
    k.validatorHot = keyring.addFromUri('//Bob//validator');
    k.minerHots = ['Charlie', 'Dave', 'Eve'].map((n) => keyring.addFromUri(`//${n}//miner`));
    ({ node, api } = await startAndConnect(250));
  });

  after(() => stopDevNode({ node, api }));

  it('creates a subnet whose lock is held, not spent', async () => {
    const before = (await api.query.system.account(k.Alice.address)).data;
    const events = await send(api, api.tx.subnets.registerNetwork(), k.Alice);
    const ev = findEvent(events, 'subnets', 'NetworkRegistered');
    assert.ok(ev, 'NetworkRegistered emitted');
    netuid = ev.data[0].toNumber();
    const after = (await api.query.system.account(k.Alice.address)).data;
    const info = (await api.call.subnetsApi.subnetInfo(netuid)).unwrap();
    assert.equal(info.owner.toString(), k.Alice.address);
    const locked = info.locked.toBigInt();
    assert.ok(locked > 0n, 'a lock was taken');
    // Held balances show as `reserved`: the lock moved there, it was not burned.
    assert.equal(after.reserved.toBigInt() - before.reserved.toBigInt(), locked);
  });

  it('lets the owner configure hyperparameters and the training task, and rejects bad values', async () => {
    await send(api, api.tx.subnets.setHyperparameters(netuid, [
      { Tempo: 6 }, { MaxValidators: 4 }, { CommitReveal: false },
    ]), k.Alice);
    await assert.rejects(
      send(api, api.tx.subnets.setHyperparameters(netuid, [{ Tempo: 1 }]), k.Alice),
      /subnets\./,
    );
    await assert.rejects(
      send(api, api.tx.subnets.setHyperparameters(netuid, [{ Tempo: 10 }]), k.Bob),
      /subnets\.NotSubnetOwner/,
    );
    const info = (await api.call.subnetsApi.subnetInfo(netuid)).unwrap();
    const task = info.toJSON().trainingTask ?? info.toJSON().training_task;
    if (task) {
      task.innerSteps = 128;
      await send(api, api.tx.subnets.setTrainingTask(netuid, task), k.Alice);
      const again = (await api.call.subnetsApi.subnetInfo(netuid)).unwrap().toJSON();
      assert.equal((again.trainingTask ?? again.training_task).innerSteps, 128);
    }
    const hp = (await api.call.subnetsApi.subnetInfo(netuid)).unwrap().toJSON().hyperparams;
    assert.equal(hp.tempo, 6);
  });

  it('registers a validator and three miners, each with a dense UID', async () => {
    // Hotkeys pay their own fees when setting weights / serving endpoints.
    for (const hot of [k.validatorHot, ...k.minerHots]) {
      await send(api, api.tx.balances.transferKeepAlive(hot.address, 10n * ARN), k.Alice);
    }
    const joins = [[k.Bob, k.validatorHot], [k.Charlie, k.minerHots[0]], [k.Dave, k.minerHots[1]], [k.Eve, k.minerHots[2]]];
    const uids = [];
    for (const [cold, hot] of joins) {
      const events = await send(api, api.tx.subnets.burnedRegister(netuid, hot.address), cold);
      const ev = findEvent(events, 'subnets', 'NeuronRegistered');
      assert.ok(ev, 'NeuronRegistered emitted');
      uids.push(ev.data.toJSON().uid ?? ev.data[1].toNumber());
    }
    assert.deepEqual([...uids].sort(), [0, 1, 2, 3]);
    await send(api, api.tx.subnets.serveEndpoint(netuid, 'https://miner-1.example/artifacts'), k.minerHots[0]);
    const metagraph = (await api.call.subnetsApi.metagraph(netuid)).unwrap();
    assert.equal(metagraph.length, 4);
  });

  it('stakes to the validator, which gets a permit at the epoch and sets weights', async () => {
    await send(api, api.tx.stake.addStake(k.validatorHot.address, netuid, 1_000n * ARN), k.Bob);
    const stakeInfo = (await api.call.stakeApi.stakeInfo(k.Bob.address)).toJSON();
    assert.ok(stakeInfo.length >= 1, 'stake info lists the stake');

    // Wait for an epoch (tempo 6 blocks) that grants permits.
    const deadline = Date.now() + 60_000;
    let validator;
    for (;;) {
      const metagraph = (await api.call.subnetsApi.metagraph(netuid)).unwrap().toJSON();
      validator = metagraph.find((n) => n.hotkey === k.validatorHot.address);
      if (validator.validatorPermit) break;
      assert.ok(Date.now() < deadline, 'no permit within 60 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(BigInt(validator.stake), 1_000n * ARN);

    const minerUids = (await api.call.subnetsApi.metagraph(netuid)).unwrap().toJSON()
      .filter((n) => n.hotkey !== k.validatorHot.address).map((n) => n.uid);
    const events = await send(api, api.tx.subnets.setWeights(netuid, minerUids, [100, 200, 300], 0), k.validatorHot);
    assert.ok(findEvent(events, 'subnets', 'WeightsSet'), 'WeightsSet emitted');

    // A miner without a permit may not set weights.
    await assert.rejects(
      send(api, api.tx.subnets.setWeights(netuid, [validator.uid], [1], 0), k.minerHots[0]),
      /subnets\./,
    );
    const after = (await api.call.subnetsApi.metagraph(netuid)).unwrap().toJSON();
    assert.ok(after.find((n) => n.hotkey === k.validatorHot.address).lastUpdate !== null);
  });
});
