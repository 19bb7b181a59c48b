// The environment for an Nx run that this script starts as its own invocation.
//
// Nx (23+) detects task loops across nested Nx processes: every task a run starts is recorded
// under the root process id it inherits in NX_INVOCATION_ROOT_PID, and a nested run that starts
// a task already recorded there stops with "Recursive task invocation detected". `npm start` run
// from inside an Nx task (the shutdown test under `npm test`) builds the apps that the outer run
// is building or type-checking at the same moment; that is not a loop, so the build gets a fresh
// invocation of its own instead of the outer run's id and task variables.
export function ownNxInvocation(env) {
  const out = { ...env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' };
  for (const k of Object.keys(out)) if (k === 'NX_INVOCATION_ROOT_PID' || k.startsWith('NX_TASK_')) delete out[k];
  return out;
}
