// Shared by the service children: tell the parent how to connect, then stop cleanly (once) on
// SIGTERM/SIGINT or when the parent goes away (IPC disconnect, also when the parent was killed).

/** @param {object} info connection info for the parent  @param {() => Promise<void>} stop */
export function announceAndServe(info, stop) {
  if (process.send) process.send(info);
  else console.log(JSON.stringify(info));
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    try { await stop(); } finally { process.exit(0); }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('disconnect', shutdown);
}
