// The demo's subnet, driven with @polkadot/api against a running dev node: Alice creates a
// subnet (tempo 10), Bob's hotkey joins as validator with 1,000 ARN staked, three miners join,
// the validator sets weights 1 : 2 : 3, and every epoch's payout is printed as it happens, with
// what escrow holds and has released.
//
//   node demo/emission-demo.js [ws://127.0.0.1:9944] [epochs]
//
// (The miner and validator programs take over registration, training and weights as their
// issues land; until then this script plays the validator.)
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { findEvent, send } from '../test/tx.js';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const epochs = Number(process.argv[3] ?? 0);
const ARN = 1_000_000_000n;
const fmt = (units) => `${units / ARN}.${String(units % ARN).padStart(9, '0').slice(0, 4)}`;
const pct = (perquintill) => `${(Number(BigInt(perquintill) / 10n ** 14n) / 100).toFixed(2)} %`;

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519' });
const k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
const validator = keyring.addFromUri('//Bob//demo-validator');
const miners = ['Charlie', 'Dave', 'Eve'].map((n) => [k[n], keyring.addFromUri(`//${n}//demo-miner`)]);

const state = (await api.call.emissionApi.emissionState()).toJSON();
console.log(`    block emission ${fmt(BigInt(state.blockEmission))} ARN, issuance ${fmt(BigInt(state.totalIssuance))} ARN, next halving at ${fmt(BigInt(state.nextHalving))} ARN`);

const reg = await send(api, api.tx.subnets.registerNetwork(), k.Alice);
const netuid = findEvent(reg, 'subnets', 'NetworkRegistered').data[0].toNumber();
await send(api, api.tx.subnets.setHyperparameters(netuid, [{ Tempo: 10 }]), k.Alice);
console.log(`    subnet ${netuid} created by Alice (tempo 10 blocks)`);
for (const hot of [validator, ...miners.map(([, h]) => h)]) {
  await send(api, api.tx.balances.transferKeepAlive(hot.address, 10n * ARN), k.Alice);
}
await send(api, api.tx.subnets.burnedRegister(netuid, validator.address), k.Bob);
const minerUids = [];
for (const [cold, hot] of miners) {
  const ev = findEvent(await send(api, api.tx.subnets.burnedRegister(netuid, hot.address), cold), 'subnets', 'NeuronRegistered');
  minerUids.push(ev.data.toJSON().uid ?? ev.data[1].toNumber());
}
await send(api, api.tx.stake.addStake(validator.address, netuid, 1_000n * ARN), k.Bob);
console.log(`    validator (Bob) and miners ${minerUids.join(', ')} registered; 1,000 ARN staked on the validator`);

let lastWeights = -1;
let paid = 0;
const unsub = await api.rpc.chain.subscribeFinalizedHeads(async (header) => {
  const block = header.number.toNumber();
  const at = await api.at(header.hash);
  const mg = (await api.call.subnetsApi.metagraph(netuid)).unwrap().toJSON();
  const v = mg.find((n) => n.hotkey === validator.address);
  if (v?.validatorPermit && (lastWeights < 0 || block - lastWeights >= 10)) {
    lastWeights = block;
    send(api, api.tx.subnets.setWeights(netuid, minerUids, [1, 2, 3], 0), validator)
      .then(() => console.log(`    #${block}: validator set weights 1 : 2 : 3`))
      .catch((e) => console.log(`    #${block}: set_weights failed: ${e.message}`));
  }
  for (const { event } of await at.query.system.events()) {
    if (event.section !== 'emission' || event.method !== 'EpochCompleted') continue;
    const d = event.data.toJSON();
    if ((d.netuid ?? d[0]) !== netuid) continue;
    const p = d.payout ?? d[1];
    console.log(`    #${block} epoch: pending ${fmt(BigInt(p.pending))} → owner ${fmt(BigInt(p.owner))}, miners ${fmt(BigInt(p.miners))}, validator ${fmt(BigInt(p.validators))}, kept ${fmt(BigInt(p.kept))} ARN`);
    for (const uid of minerUids) {
      const n = mg.find((x) => x.uid === uid);
      console.log(`        miner ${uid}: incentive ${pct(n.metrics.incentive)}, emission ${fmt(BigInt(n.metrics.emission))} ARN`);
    }
    // Every payout waits in escrow for the subnet's escrow window before it reaches stake.
    const t = (await at.call.escrowApi.escrowTotals()).toJSON();
    console.log(`        escrow: ${fmt(BigInt(t.open))} ARN held, ${fmt(BigInt(t.released))} released (into stake; the owner cut as balance), ${fmt(BigInt(t.slashed))} slashed`);
    if (BigInt(p.miners) > 0n) paid += 1;
    if (epochs > 0 && paid >= epochs) {
      unsub();
      await api.disconnect();
      process.exit(0);
    }
  }
});
