// Preloaded (`node -r`) into the gateway that `npm run demo` starts: when the demo is gone
// without stopping it (killed with SIGKILL, say), the gateway is re-parented; it then sends
// itself SIGTERM and shuts down instead of holding the port as an orphan.
'use strict';
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
}, 250);
watch.unref();
