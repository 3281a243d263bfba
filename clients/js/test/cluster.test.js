// Cluster mode: two nodes sharing a private redis-server. While Redis is
// frozen (SIGSTOP) each node goes on alone under an epoch of its own and
// tells its v2 members with a "reset"; when Redis is back, another "reset"
// returns them to the room's shared sequence.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { REDIS_SERVER, messages, newClient, nextEvent, sleep, startRedis, startServer, stopAll, waitFor } from "./harness.js";

const skip = REDIS_SERVER ? false : "redis-server is not installed (looked in /usr/bin, /usr/local/bin, /usr/sbin)";
after(stopAll);

test("a Redis outage reaches the client as a server reset, and publications continue after it", { skip, timeout: 90000 }, async () => {
  const redis = await startRedis();
  const cluster = ["--cluster", redis.url];
  const [one, two] = await Promise.all([startServer({ store: null, args: cluster }), startServer({ store: null, args: cluster })]);
  const ana = newClient(one.url, { person: "ana" });
  await ana.create();
  const ben = newClient(two.url, { person: "ben" });
  await ben.join(ana.key);
  await waitFor(() => ana.members.length === 2, { what: "ana to see ben, who is on the other node" });
  const first = await ana.send("before");
  await waitFor(() => messages(ben).includes("before"), { what: "a publication across nodes" });
  const sharedEpoch = ben.epoch;

  // Redis stops answering: after its 3 s of silence each node goes on alone.
  const outage = nextEvent(ben, "reset", { timeout: 30000 });
  const anaOutage = nextEvent(ana, "reset", { timeout: 30000 });
  redis.pause();
  try {
    const reset = await outage;
    assert.equal(reset.cause, "server");
    assert.notEqual(reset.epoch, sharedEpoch);
    assert.equal(ben.epoch, reset.epoch);
    assert.equal(ben.offset, reset.offset);
    assert.equal((await anaOutage).cause, "server");
    // Alone on its node, ana's publications are acked in her node's sequence.
    const local = await ana.send("during");
    assert.equal(local, ana.seen("reset").at(-1).offset + 1);
  } finally {
    redis.resume();
  }

  // Redis is back: a second reset returns both to the shared sequence.
  await waitFor(() => ben.seen("reset").length >= 2 && ana.seen("reset").length >= 2,
    { timeout: 30000, what: "the reset back to Redis's sequence" });
  assert.equal(ben.seen("reset").at(-1).cause, "server");
  assert.equal(ben.epoch, ana.epoch);
  assert.ok(ben.offset >= first);

  // Cross-node delivery resumes by itself within seconds: publish until ben hears.
  let i = 0;
  const deadline = Date.now() + 20000;
  while (!messages(ben).some((m) => typeof m === "string" && m.startsWith("after-"))) {
    assert.ok(Date.now() < deadline, "publications never crossed nodes again");
    await ana.send(`after-${i++}`);
    await sleep(300);
  }
  const last = await ana.send("last");
  await waitFor(() => messages(ben).includes("last"));
  const tail = ben.seen("publication").slice(-1)[0];
  assert.equal(tail.offset, last);
  // Since the last reset, ben's publications follow each other without a gap.
  const since = ben.log.findLastIndex(([name]) => name === "reset");
  const after = ben.log.slice(since + 1).filter(([name]) => name === "publication").map(([, p]) => p);
  for (let k = 1; k < after.length; k++) assert.equal(after[k].offset, after[k - 1].offset + 1);
  assert.equal(ben.state, "connected");
  assert.equal(ana.state, "connected");
});
