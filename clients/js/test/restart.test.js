// A server restart (SIGTERM, then started again on the same port and SQLite
// database): the room survives in the store, its offsets do not.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { messages, newClient, nextEvent, startServer, stopAll, waitFor } from "./harness.js";

after(stopAll);

test("after a server restart both members rejoin by themselves: recovered false under a new epoch, reset with cause resume", async () => {
  const server = await startServer({ store: "sqlite" });
  const ana = newClient(server.url, { person: "ana" });
  await ana.create();
  const ben = newClient(server.url, { person: "ben" });
  await ben.join(ana.key);
  await ana.send("before");
  await ana.setState({ mood: "fine" });
  await waitFor(() => messages(ben).length === 1);
  const oldEpoch = ben.epoch;

  const anaReset = nextEvent(ana, "reset", { timeout: 30000 });
  const benReset = nextEvent(ben, "reset", { timeout: 30000 });
  const benResumed = nextEvent(ben, "resumed", { timeout: 30000 });
  await server.restart();
  const reset = await benReset;
  assert.equal(reset.cause, "resume");
  assert.notEqual(reset.epoch, oldEpoch);
  assert.equal(ben.epoch, reset.epoch);
  assert.equal(reset.offset, 0, "history lives in memory: the new run starts again");
  assert.deepEqual(await benResumed, { recovered: false, missed: [] });
  assert.equal((await anaReset).cause, "resume");
  // The server said it was going away (1001): that is worth reconnecting.
  assert.ok(ben.seen("connection").some((c) => c.state === "reconnecting" && c.code === 1001));

  await waitFor(() => ana.state === "connected" && ana.members.length === 2, { what: "both members back" });
  const offset = await ana.send("after");
  assert.equal(offset, 1);
  await waitFor(() => messages(ben).includes("after"));
  assert.deepEqual(messages(ben), ["before", "after"]);
  assert.equal(ben.seen("publication").at(-1).offset, 1);
});
