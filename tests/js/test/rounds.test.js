// A training round on the dev chain, seen through @polkadot/api: the owner sets a genesis
// checkpoint and the round settings, two miners commit before the deadline, a late commit is
// refused with a typed error, two validators vote and the next round starts from the checkpoint
// backed by more stake.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startAndConnect, stopDevNode } from './node.js';
import { findEvent, send } from './tx.js';

const ARN = 1_000_000_000n;
const TEMPO = 30;
const DEADLINE = 10;
const VOTE_WINDOW = 10;
const hash = (byte) => `0x${byte.repeat(32)}`;
const GENESIS = hash('0a');
const FINGERPRINT = hash('f1');

/** Polls `check` (async, returns a value or undefined) every 200 ms until it returns a value. */
async function waitFor(what, check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a training round through the runtime API and polkadot.js', () => {
  let node;
  let api;
  const k = {};
  let netuid;
  let steps;

  const current = async () => {
    const r = (await api.call.roundsApi.currentRound(netuid)).toJSON();
    return r ?? undefined;
  };

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Ferdie']) k[name] = keyring.addFromUri(`//${name}`);
    k.v1 = keyring.addFromUri('//Bob//rounds-validator');
    k.v2 = keyring.addFromUri('//Ferdie//rounds-validator');
    k.m1 = keyring.addFromUri('//Charlie//rounds-miner');
    k.m2 = keyring.addFromUri('//Dave//rounds-miner');
    ({ node, api } = await startAndConnect(500));

    const events = await send(api, api.tx.subnets.registerNetwork(), k.Alice);
    netuid = findEvent(events, 'subnets', 'NetworkRegistered').data[0].toNumber();
    await send(api, api.tx.subnets.setHyperparameters(netuid, [{ Tempo: TEMPO }]), k.Alice);
    for (const hot of [k.v1, k.v2, k.m1, k.m2]) {
      await send(api, api.tx.balances.transferKeepAlive(hot.address, 10n * ARN), k.Alice);
    }
    for (const [cold, hot] of [[k.Bob, k.v1], [k.Ferdie, k.v2], [k.Charlie, k.m1], [k.Dave, k.m2]]) {
      await send(api, api.tx.subnets.burnedRegister(netuid, hot.address), cold);
    }
    // V1 holds twice V2's stake.
    await send(api, api.tx.stake.addStake(k.v1.address, netuid, 1_000n * ARN), k.Bob);
    await send(api, api.tx.stake.addStake(k.v2.address, netuid, 500n * ARN), k.Ferdie);
    steps = (await api.call.subnetsApi.subnetInfo(netuid)).unwrap().toJSON().trainingTask.innerSteps;
  });

  after(() => stopDevNode({ node, api }));

  it('lets the owner set the genesis checkpoint and the round settings', async () => {
    const url = 'https://artifacts.example.org/genesis.safetensors';
    const ev = await send(api, api.tx.rounds.setGenesisCheckpoint(netuid, GENESIS, 3_323_648n * 4n, url), k.Alice);
    assert.ok(findEvent(ev, 'rounds', 'GenesisCheckpointSet'));
    await send(api, api.tx.rounds.setRoundSettings(netuid, DEADLINE, VOTE_WINDOW, [FINGERPRINT]), k.Alice);
    // A deadline that leaves no room for auditing and voting is refused with a typed error.
    await assert.rejects(send(api, api.tx.rounds.setRoundSettings(netuid, TEMPO, VOTE_WINDOW, [FINGERPRINT]), k.Alice), /rounds\./);
    const info = (await api.call.roundsApi.roundsInfo(netuid)).toJSON();
    assert.equal(info.checkpoint, GENESIS);
    assert.equal(info.settings.commitDeadline, DEADLINE);
  });

  let round;
  it('takes two miners\' commitments before the deadline and refuses a late one', async () => {
    // A fresh round in its training phase, with most of the phase still ahead.
    const r = await waitFor('a round in its training phase', async () => {
      const c = await current();
      return c && c.phase === 'Training' && c.blocksLeft >= DEADLINE - 2 ? c : undefined;
    });
    round = r.record.index;
    assert.equal(r.record.checkpoint, GENESIS, 'the first round starts from the genesis checkpoint');
    const commit = (hot, byte) => send(api, api.tx.rounds.commitContribution(
      netuid, round, hash(byte), hash(`${byte[0]}e`), steps, FINGERPRINT, hash(`${byte[0]}d`)), hot);
    const [e1, e2] = await Promise.all([commit(k.m1, '11'), commit(k.m2, '22')]);
    assert.ok(findEvent(e1, 'rounds', 'ContributionCommitted'));
    assert.ok(findEvent(e2, 'rounds', 'ContributionCommitted'));
    // An unknown backend is refused.
    await assert.rejects(send(api, api.tx.rounds.commitContribution(
      netuid, round, hash('33'), hash('3e'), steps, hash('99'), hash('3d')), k.v1), /FingerprintNotAllowed/);

    const view = (await api.call.roundsApi.round(netuid, round)).toJSON();
    assert.deepEqual(view.commitments.map(([h]) => h).sort(), [k.m1.address, k.m2.address].sort());
    // After the deadline: one more commit (from another registered hotkey) is refused.
    await waitFor('the deadline to pass', async () => {
      const c = await current();
      return c && c.record.index === round && c.phase !== 'Training' ? true : undefined;
    });
    await assert.rejects(send(api, api.tx.rounds.commitContribution(
      netuid, round, hash('33'), hash('3e'), steps, FINGERPRINT, hash('3d')), k.v1), /CommitDeadlinePassed/);
    const seeds = await waitFor('the round and audit seeds', async () => {
      const c = (await api.call.roundsApi.round(netuid, round)).toJSON();
      return c.record.roundSeed && c.record.auditSeed ? c.record : undefined;
    });
    assert.notEqual(seeds.roundSeed, seeds.auditSeed);
    const residual = (await api.call.roundsApi.lastResidual(netuid, k.m1.address)).toJSON();
    assert.equal(residual.hash, hash('1d'));
  });

  it('starts the next round from the checkpoint the validators backed with more stake', async () => {
    await waitFor('the voting phase', async () => {
      const c = await current();
      return c && c.record.index === round && c.phase === 'Voting' ? true : undefined;
    });
    const winner = hash('aa');
    await Promise.all([
      send(api, api.tx.rounds.voteCheckpoint(netuid, round, winner), k.v1),
      send(api, api.tx.rounds.voteCheckpoint(netuid, round, hash('bb')), k.v2),
    ]);
    // A miner without a permit cannot vote... unless it holds one: miners have no stake here.
    await assert.rejects(send(api, api.tx.rounds.voteCheckpoint(netuid, round, hash('cc')), k.m1), /rounds\./);
    const next = await waitFor('the next round', async () => {
      const c = await current();
      return c && c.record.index === round + 1 ? c : undefined;
    });
    assert.equal(next.record.checkpoint, winner, 'the next round starts from the winner');
    const closed = (await api.call.roundsApi.round(netuid, round)).toJSON();
    assert.equal(closed.record.nextCheckpoint, winner);
  });
});
