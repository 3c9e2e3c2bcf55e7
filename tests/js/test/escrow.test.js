// Escrow on the dev chain, seen through @polkadot/api: epoch rewards wait in escrow and are
// released into stake after the window, a delegator receives its share of a validator's
// dividends, a challenge backed by the quorum slashes a miner's open rewards (issuance goes
// down), and a sponsor's bounty pays out over its epochs while a cancelled one returns the rest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startAndConnect, stopDevNode } from './node.js';
import { findEvent, send } from './tx.js';

const ARN = 1_000_000_000n;
const TEMPO = 8;

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

/** Resolves with the first event `section.method` whose data passes `pick` (returns a value). */
function nextEvent(api, section, method, pick, timeoutMs = 90_000) {
  return new Promise((resolve, reject) => {
    let unsub;
    const timer = setTimeout(() => { unsub?.(); reject(new Error(`no ${section}.${method} within ${timeoutMs / 1000} s`)); }, timeoutMs);
    api.query.system.events((records) => {
      for (const { event } of records) {
        if (event.section === section && event.method === method) {
          const v = pick(event.data.toJSON(), event);
          if (v !== undefined) { clearTimeout(timer); unsub?.(); resolve(v); return; }
        }
      }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}

const stakeOn = async (api, coldkey, hotkey, netuid) => {
  const positions = (await api.call.stakeApi.stakeInfo(coldkey)).toJSON();
  const p = positions.find((x) => x.netuid === netuid && x.hotkey === hotkey);
  return p ? BigInt(p.stake) : 0n;
};

describe('escrow, challenges and bounties through the runtime API and polkadot.js', () => {
  let node;
  let api;
  const k = {};
  let netuid;
  const uid = {};

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) k[name] = keyring.addFromUri(`//${name}`);
    // Validators V1 (coldkey Bob), V2 (coldkey Ferdie); miners M1 (Charlie), M2 (Dave).
    k.v1 = keyring.addFromUri('//Bob//escrow-validator');
    k.v2 = keyring.addFromUri('//Ferdie//escrow-validator');
    k.m1 = keyring.addFromUri('//Charlie//escrow-miner');
    k.m2 = keyring.addFromUri('//Dave//escrow-miner');
    ({ node, api } = await startAndConnect(250));

    const events = await send(api, api.tx.subnets.registerNetwork(), k.Alice);
    netuid = findEvent(events, 'subnets', 'NetworkRegistered').data[0].toNumber();
    await send(api, api.tx.subnets.setHyperparameters(netuid, [{ Tempo: TEMPO }, { EscrowWindow: 2 }]), k.Alice);
    for (const hot of [k.v1, k.v2, k.m1, k.m2]) {
      await send(api, api.tx.balances.transferKeepAlive(hot.address, 100n * ARN), k.Alice);
    }
    for (const [name, cold, hot] of [['v1', k.Bob, k.v1], ['v2', k.Ferdie, k.v2], ['m1', k.Charlie, k.m1], ['m2', k.Dave, k.m2]]) {
      const ev = findEvent(await send(api, api.tx.subnets.burnedRegister(netuid, hot.address), cold), 'subnets', 'NeuronRegistered');
      uid[name] = ev.data.toJSON().uid ?? ev.data[1].toNumber();
    }
    await send(api, api.tx.stake.addStake(k.v1.address, netuid, 1_000n * ARN), k.Bob);
    await send(api, api.tx.stake.addStake(k.v2.address, netuid, 1_000n * ARN), k.Ferdie);
    // Eve delegates to V1 as much as V1's owner staked.
    await send(api, api.tx.stake.addStake(k.v1.address, netuid, 1_000n * ARN), k.Eve);
    await waitFor('validator permits', async () => {
      const mg = (await api.call.subnetsApi.metagraph(netuid)).unwrap().toJSON();
      const permitted = mg.filter((n) => n.validatorPermit).map((n) => n.hotkey);
      return permitted.includes(k.v1.address) && permitted.includes(k.v2.address) ? true : undefined;
    });
    for (const v of [k.v1, k.v2]) {
      await send(api, api.tx.subnets.setWeights(netuid, [uid.m1, uid.m2], [1, 1], 0), v);
    }
  });

  after(() => stopDevNode({ node, api }));

  it('holds epoch rewards in escrow and releases them into stake after the window', async () => {
    const entry = await waitFor('an incentive entry for miner M1', async () => {
      const entries = (await api.call.escrowApi.accountEntries(k.Charlie.address)).toJSON();
      return entries.find((e) => e.entry.kind === 'Incentive' && e.entry.netuid === netuid);
    });
    const created = BigInt(entry.entry.createdAt);
    assert.equal(BigInt(entry.entry.releaseAt), created + 2n * BigInt(TEMPO), 'released two tempos later');
    // At payout nothing reached the miner's stake: it sits in escrow.
    const header = await api.rpc.chain.getHeader();
    if (header.number.toBigInt() < BigInt(entry.entry.releaseAt)) {
      const atPayout = await api.at(await api.rpc.chain.getBlockHash(created));
      const positions = (await atPayout.call.stakeApi.stakeInfo(k.Charlie.address)).toJSON();
      assert.ok(!positions.some((p) => p.netuid === netuid && BigInt(p.stake) > 0n), 'no stake at payout');
    }
    const released = await nextEvent(api, 'escrow', 'Released', (d) => (String(d.id ?? d[0]) === String(entry.id) ? d : undefined));
    assert.equal(BigInt(released.amount ?? released[2]), BigInt(entry.entry.amount));
    assert.ok((await stakeOn(api, k.Charlie.address, k.m1.address, netuid)) >= BigInt(entry.entry.amount), 'released into stake');
    const totals = (await api.call.escrowApi.escrowTotals()).toJSON();
    assert.ok(BigInt(totals.released) > 0n);
    const s = (await api.call.emissionApi.emissionState()).toJSON();
    assert.ok(BigInt(totals.escrowedEmission) <= BigInt(s.paid), 'escrow took in what emission paid');
  });

  it('pays a delegator its share of the validator dividends', async () => {
    const share = await waitFor('a delegator share for Eve', async () => {
      const entries = (await api.call.escrowApi.accountEntries(k.Eve.address)).toJSON();
      return entries.find((e) => e.entry.kind === 'DelegatorShare' && e.entry.netuid === netuid);
    });
    // Owner and delegator staked the same: the owner's entry of that round is larger (its take).
    const ownerEntries = (await api.call.escrowApi.accountEntries(k.Bob.address)).toJSON();
    const own = ownerEntries.find((e) => e.entry.kind === 'Dividends' && e.entry.round === share.entry.round);
    if (own) assert.ok(BigInt(own.entry.amount) > BigInt(share.entry.amount), 'the owner keeps its take');
    const before = await stakeOn(api, k.Eve.address, k.v1.address, netuid);
    await waitFor('the share released into Eve\'s position', async () =>
      (await stakeOn(api, k.Eve.address, k.v1.address, netuid)) >= before + BigInt(share.entry.amount) ? true : undefined);
  });

  it('slashes a miner when a challenge reaches the quorum', async () => {
    const open = await waitFor('open rewards for miner M2', async () => {
      const entries = (await api.call.escrowApi.earnerEntries(netuid, k.m2.address)).toJSON();
      const head = (await api.rpc.chain.getHeader()).number.toNumber();
      const live = entries.filter((e) => e.entry.releaseAt > head + 3);
      return live.length > 0 ? live : undefined;
    });
    const round = open[0].entry.round;
    const evidence = {
      reason: 'SegmentMismatch', segment: 2,
      merkleRoot: `0x${'11'.repeat(32)}`, claimedStart: `0x${'22'.repeat(32)}`, claimedEnd: `0x${'33'.repeat(32)}`,
      recomputed: `0x${'44'.repeat(32)}`, updateHash: `0x${'55'.repeat(32)}`,
    };
    // V1 alone holds half the validator stake: below two thirds, nothing happens yet.
    const raised = await send(api, api.tx.escrow.challenge(netuid, k.m2.address, round, evidence), k.v1);
    assert.ok(findEvent(raised, 'escrow', 'ChallengeRaised'));
    assert.equal(findEvent(raised, 'escrow', 'Slashed'), undefined);
    const challenges = (await api.call.escrowApi.openChallenges(netuid)).toJSON();
    assert.equal(challenges.length, 1);
    assert.equal(challenges[0].miner, k.m2.address);
    // An account without a validator permit cannot back it.
    await assert.rejects(send(api, api.tx.escrow.supportChallenge(netuid, k.m2.address, round), k.Eve), /NotPermittedValidator/);

    const events = await send(api, api.tx.escrow.supportChallenge(netuid, k.m2.address, round), k.v2);
    const slashed = findEvent(events, 'escrow', 'Slashed');
    assert.ok(slashed, 'the quorum slashes');
    const amount = BigInt(slashed.data.toJSON().amount ?? slashed.data[3].toString());
    assert.ok(amount > 0n);
    // Issuance in the slash block = the block before + what was minted − what was burned.
    const { blockHash } = events;
    const header = await api.rpc.chain.getHeader(blockHash);
    const prevHash = header.parentHash;
    const [issBefore, issAfter] = await Promise.all([prevHash, blockHash].map(async (h) => (await api.query.balances.totalIssuance.at(h)).toBigInt()));
    const [mintBefore, mintAfter] = await Promise.all([prevHash, blockHash].map(async (h) => BigInt((await (await api.at(h)).call.emissionApi.emissionState()).toJSON().minted)));
    // Fees are burned too (FungibleAdapter with no handler): count them from the block's events.
    const fees = (await api.query.system.events.at(blockHash))
      .filter(({ event }) => event.section === 'transactionPayment' && event.method === 'TransactionFeePaid')
      .reduce((acc, { event }) => acc + event.data[1].toBigInt() + event.data[2].toBigInt(), 0n);
    assert.equal(issAfter, issBefore + (mintAfter - mintBefore) - amount - fees, 'issuance went down by the slash');
    const left = (await api.call.escrowApi.earnerEntries(netuid, k.m2.address)).toJSON().filter((e) => e.entry.kind === 'Incentive' && e.entry.createdAt <= header.number.toNumber());
    assert.equal(left.length, 0, 'every open incentive entry was burned');
    const s = (await api.call.emissionApi.emissionState()).toJSON();
    assert.ok(BigInt(s.slashed) >= amount, 'emission totals record the slash');
    assert.equal((await api.call.escrowApi.openChallenges(netuid)).toJSON().length, 0, 'bond returned, challenge closed');
  });

  it('pays a bounty over its epochs and returns the rest of a cancelled one', async () => {
    const funded = await send(api, api.tx.escrow.fundBounty(netuid, 5n * ARN, 2), k.Eve);
    const id = findEvent(funded, 'escrow', 'BountyFunded').data[0].toNumber();
    const bounties = (await api.call.escrowApi.bounties(netuid)).toJSON();
    assert.ok(bounties.some((b) => b.id === id && BigInt(b.bounty.remaining) === 10n * ARN));
    const closed = await nextEvent(api, 'escrow', 'BountyClosed', (d) => ((d.id ?? d[0]) === id ? d : undefined));
    assert.equal(BigInt(closed.refunded ?? closed[2]), 0n, 'both epochs paid in full');

    const second = await send(api, api.tx.escrow.fundBounty(netuid, 5n * ARN, 10), k.Eve);
    const id2 = findEvent(second, 'escrow', 'BountyFunded').data[0].toNumber();
    const eveBefore = (await api.query.system.account(k.Eve.address)).data.free.toBigInt();
    await send(api, api.tx.escrow.cancelBounty(id2), k.Eve);
    const closed2 = await nextEvent(api, 'escrow', 'BountyClosed', (d) => ((d.id ?? d[0]) === id2 ? d : undefined));
    const refunded = BigInt(closed2.refunded ?? closed2[2]);
    assert.ok(refunded >= 40n * ARN, 'at most two epochs were paid before the rest returned');
    const eveAfter = (await api.query.system.account(k.Eve.address)).data.free.toBigInt();
    assert.ok(eveAfter >= eveBefore + refunded - ARN / 10n, 'the sponsor got the rest back (minus fees)');
  });
});
