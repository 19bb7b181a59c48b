/**
 * In a cluster worker: calls `onGone` once, when the primary is gone (killed, crashed). The IPC
 * channel's 'disconnect' event says so at once; a poll every `pollMs` is the backstop should that
 * event ever be missed: the channel found closed (`process.connected` false) or this process
 * re-parented (its parent pid changed, so the primary that forked it no longer exists).
 * Returns a function that stops watching.
 */
export function watchPrimary(onGone: (how: string) => void, pollMs = 1_000): () => void {
  const parent = process.ppid;
  let done = false;
  const stop = () => {
    done = true;
    clearInterval(poll);
    process.off('disconnect', onDisconnect);
  };
  const fire = (how: string) => {
    if (done) return;
    stop();
    onGone(how);
  };
  const onDisconnect = () => fire('ipc channel disconnected');
  process.once('disconnect', onDisconnect);
  const poll = setInterval(() => {
    if (!process.connected) fire('ipc channel closed');
    else if (process.ppid !== parent) fire(`re-parented (parent ${parent} → ${process.ppid})`);
  }, pollMs);
  poll.unref();
  return stop;
}
