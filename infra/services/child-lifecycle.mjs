// Shared by the service children: tell the parent how to connect, then stop cleanly (once) on
// SIGTERM/SIGINT or when the parent goes away (IPC disconnect, also when the parent was killed).

/** @param {object} info connection info for the parent  @param {(why: 'signal' | 'parent-gone') => Promise<void>} stop */
export function announceAndServe(info, stop) {
  if (process.send) process.send(info);
  else console.log(JSON.stringify(info));
  let stopping = false;
  const shutdown = async (why) => {
    if (stopping) return;
    stopping = true;
    try { await stop(why); } finally { process.exit(0); }
  };
  process.on('SIGTERM', () => shutdown('signal'));
  process.on('SIGINT', () => shutdown('signal'));
  process.on('disconnect', () => shutdown('parent-gone'));
}
