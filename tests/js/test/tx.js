// Transaction helpers shared by the polkadot.js tests.

/** Sign, submit and wait for inclusion; resolves with the events (their `blockHash` property is
 * the block it landed in), rejects on dispatch errors and on invalid or dropped transactions. */
export function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not included in 60 s')), 60_000);
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        clearTimeout(timer);
        let msg = dispatchError.toString();
        if (dispatchError.isModule) {
          const d = api.registry.findMetaError(dispatchError.asModule);
          msg = `${d.section}.${d.name}: ${d.docs.join(' ')}`;
        }
        reject(new Error(msg));
      } else if (status.isInBlock || status.isFinalized) {
        // The dev chain finalises on import, so a transaction may skip straight to Finalized.
        clearTimeout(timer);
        // The block the transaction landed in, for queries `at` it.
        events.blockHash = status.isInBlock ? status.asInBlock : status.asFinalized;
        resolve(events);
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        clearTimeout(timer);
        reject(new Error(`transaction ${status.type}`));
      }
    }).catch((e) => { clearTimeout(timer); reject(e); });
  });
}

export function findEvent(events, section, method) {
  return events.map(({ event }) => event).find((e) => e.section === section && e.method === method);
}
