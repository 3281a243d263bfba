// Network drops between the client and the server (a TCP proxy cuts them):
// reconnect, resume, the offline queue, publications in flight at the drop.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import net from "node:net";

import { messages, newClient, nextEvent, sleep, startProxy, startServer, stopAll, waitFor } from "./harness.js";

let server;
before(async () => { server = await startServer(); });
after(stopAll);

/** ana connects directly, ben through a proxy the test controls. */
async function room(target = server, benOptions = {}) {
  const proxy = await startProxy(target);
  const ana = newClient(target.url, { person: "ana" });
  await ana.create();
  const ben = newClient(proxy.url, { person: "ben", ...benOptions });
  await ben.join(ana.key);
  return { proxy, ana, ben };
}

/** Cuts ben off and keeps him off until the returned function is called. */
async function cutOff(proxy, client) {
  proxy.refuse(true);
  proxy.cut();
  await waitFor(() => client.state === "reconnecting", { what: "the client to notice the drop" });
  return () => proxy.refuse(false);
}

function assertConsecutive(pubs) {
  for (let i = 1; i < pubs.length; i++) assert.equal(pubs[i].offset, pubs[i - 1].offset + 1, "offsets without gap");
}

test("after a network drop the client reconnects by itself and resumes: recovered, what it missed exactly once, in order", async () => {
  const { proxy, ana, ben } = await room();
  const oldId = ben.me.id;
  const epoch = ben.epoch;
  await ana.send("m0");
  await waitFor(() => messages(ben).length === 1);

  const reconnect = await cutOff(proxy, ben);
  const sent = [];
  for (let i = 1; i <= 5; i++) sent.push(await ana.send(`m${i}`));
  const resumed = nextEvent(ben, "resumed");
  reconnect();
  const { recovered, missed } = await resumed;
  assert.equal(recovered, true);
  assert.deepEqual(missed.map((p) => p.offset), sent);
  assert.equal(ben.state, "connected");
  assert.notEqual(ben.me.id, oldId, "a resume is a new membership");
  assert.equal(ben.epoch, epoch);
  const joined = ben.seen("joined").at(-1);
  assert.equal(joined.resumed, true);
  assert.equal(joined.recovered, true);

  const live = await ana.send("m6");
  await waitFor(() => messages(ben).length === 7, { what: "m6" });
  assert.deepEqual(messages(ben), ["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
  assertConsecutive(ben.seen("publication"));
  assert.equal(ben.offset, live);
  assert.equal(ben.seen("reset").length, 0);
  // ana saw the old membership leave and the new one enter.
  await waitFor(() => ana.members.some((m) => m.id === ben.me.id) && !ana.members.some((m) => m.id === oldId));
  const states = ben.seen("connection").map((c) => c.state);
  assert.deepEqual([states[0], states[1], states[2], states.at(-1)], ["connecting", "connected", "reconnecting", "connected"]);
  assert.ok(ben.seen("connection").filter((c) => c.state === "reconnecting").every((c) => c.attempt >= 1 && c.delay >= 0));
});

test("beyond the history window the resume is not recovered: reset with cause resume, then live again", async () => {
  const small = await startServer({ args: ["--history-size", "2"] });
  const { proxy, ana, ben } = await room(small);
  await ana.send("before");
  await waitFor(() => messages(ben).length === 1);

  const reconnect = await cutOff(proxy, ben);
  let last;
  for (let i = 0; i < 4; i++) last = await ana.send(`gone-${i}`);
  await ana.setState({ where: "cafe" });
  const reset = nextEvent(ben, "reset");
  const resumed = nextEvent(ben, "resumed");
  reconnect();
  assert.deepEqual(await resumed, { recovered: false, missed: [] });
  const r = await reset;
  assert.equal(r.cause, "resume");
  assert.equal(r.offset, last + 1);
  assert.equal(ben.offset, last + 1);
  assert.ok(r.state.some((p) => p.type === "state" && p.data.where === "cafe"), "the reset carries the room's last known state");
  assert.deepEqual(ben.lastKnown, r.state);
  assert.deepEqual(messages(ben), ["before"], "nothing of the gap is delivered as if it were complete");

  await ana.send("after");
  await waitFor(() => messages(ben).includes("after"));
  assert.equal(ben.seen("publication").at(-1).offset, last + 2);
});

describe("publications made while disconnected", () => {
  test("wait in the bounded queue and are sent after the resume, acked in order, received once; overflow is queue_full", async () => {
    const { proxy, ana, ben } = await room(server, { queueSize: 3 });
    const reconnect = await cutOff(proxy, ben);
    const queued = [ben.send("q1"), ben.sendLocation(1, 2), ben.setState("q3")];
    assert.equal(ben.queued, 3);
    await assert.rejects(ben.send("q4"), (e) => e.code === "queue_full" && /queueSize/.test(e.message));
    await sleep(150);
    reconnect();
    const offsets = await Promise.all(queued);
    assert.equal(offsets[1], offsets[0] + 1);
    assert.equal(offsets[2], offsets[0] + 2);
    assert.equal(ben.queued, 0);
    await waitFor(() => ana.seen("publication").length === 3, { what: "ana to receive the queued publications" });
    await sleep(200);
    const got = ana.seen("publication");
    assert.deepEqual(got.map((p) => p.offset), offsets);
    assert.deepEqual(got.map((p) => p.type), ["message", "Location Data", "state"]);
    assert.ok(got.every((p) => p.from === ben.me.id));
  });

  test("are rejected with closed when the client is closed before it reconnects", async () => {
    const { proxy, ana, ben } = await room();
    await cutOff(proxy, ben);
    const queued = ben.send("never");
    const history = ben.history();
    ben.close();
    await assert.rejects(queued, (e) => e.code === "closed" && /never sent/.test(e.message));
    await assert.rejects(history, { code: "closed" });
    assert.equal(ben.seen("closed").length, 1);
    proxy.refuse(false);
    await sleep(300);
    assert.equal(ben.state, "closed");
    assert.equal(messages(ana).length, 0);
  });
});

describe("publications in flight when the connection drops resolve exactly once, and the other member sees each once", () => {
  test("committed but their acks lost: settled from the resume's missed, not sent again", async () => {
    const { proxy, ana, ben } = await room();
    proxy.stall("down");  // the server gets them; its acks are lost
    const pending = ["a", "b", "c"].map((text) => ben.send(text));
    await waitFor(() => messages(ana).length === 3, { what: "ana to receive a, b, c" });
    const resumed = nextEvent(ben, "resumed");
    proxy.cut();
    proxy.stall(null);
    assert.equal((await resumed).recovered, true);
    const offsets = await Promise.all(pending);
    assert.deepEqual(offsets, ana.seen("publication").map((p) => p.offset));
    await ben.send("d");
    await waitFor(() => messages(ana).length === 4);
    assert.deepEqual(messages(ana), ["a", "b", "c", "d"]);
  });

  test("never reached the server: sent again after the resume", async () => {
    const { proxy, ana, ben } = await room();
    proxy.stall("up");  // lost on the way
    const pending = ["a", "b", "c"].map((text) => ben.send(text));
    await sleep(100);
    const resumed = nextEvent(ben, "resumed");
    proxy.cut();
    proxy.stall(null);
    assert.equal((await resumed).recovered, true);
    const offsets = await Promise.all(pending);
    await waitFor(() => messages(ana).length === 3);
    await sleep(200);
    assert.deepEqual(messages(ana), ["a", "b", "c"]);
    assert.deepEqual(offsets, ana.seen("publication").map((p) => p.offset));
  });

  test("cut at any moment of a burst: every promise settles once with its offset, none lost or doubled", async () => {
    const { proxy, ana, ben } = await room();
    const all = [];
    for (let round = 0; round < 6; round++) {
      const batch = [];
      for (let i = 0; i < 10; i++) {
        const text = `r${round}-${i}`;
        batch.push(ben.send(text).then((offset) => ({ text, offset })));
        if (i === 2 * round) proxy.cut();  // the cut lands at a different point of each burst
      }
      all.push(...(await Promise.all(batch)));
      await waitFor(() => ben.state === "connected");
    }
    await waitFor(() => messages(ana).length === all.length, { what: `ana to receive ${all.length} messages` });
    await sleep(200);
    const got = ana.seen("publication");
    assert.deepEqual(got.map((p) => p.data), all.map((x) => x.text), "each once, in send order");
    assert.deepEqual(got.map((p) => p.offset), all.map((x) => x.offset), "each promise has its publication's offset");
    assertConsecutive(got);
  });

  test("unconfirmed when the resume is not recovered", async () => {
    const small = await startServer({ args: ["--history-size", "1"] });
    const { proxy, ana, ben } = await room(small);
    proxy.stall("down");
    const pending = ben.send("maybe");
    await waitFor(() => messages(ana).length === 1);
    proxy.refuse(true);
    proxy.cut();
    proxy.stall(null);
    await ana.send("x");
    await ana.send("y");
    proxy.refuse(false);
    await assert.rejects(pending, (e) => e.code === "unconfirmed" && /may or may not/.test(e.message));
    assert.equal(ben.seen("reset").at(-1).cause, "resume");
  });
});

describe("giving up", () => {
  test("after maxAttempts failed tries the client closes for good and rejects what waits", async () => {
    const { proxy, ben } = await room(server, { reconnect: { initialDelay: 20, maxDelay: 50, maxAttempts: 3 } });
    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => ben.state === "reconnecting");
    const queued = ben.send("lost");
    const closed = await nextEvent(ben, "closed");
    assert.equal(closed.error.code, "connection_lost");
    assert.match(closed.error.message, /gave up after 3 attempts/);
    await assert.rejects(queued, { code: "closed" });
    assert.deepEqual(ben.seen("connection").filter((c) => c.state === "reconnecting").map((c) => c.attempt), [1, 2, 3]);
  });

  test("with reconnect: false a drop closes for good", async () => {
    const { proxy, ben } = await room(server, { reconnect: false });
    proxy.cut();
    const closed = await nextEvent(ben, "closed");
    assert.equal(closed.code, 1006);
    assert.match(closed.error.message, /reconnecting is off/);
  });

  test("a server that never answers the upgrade counts as a failed try after connectTimeout", async () => {
    const held = [];
    const silent = net.createServer((socket) => held.push(socket));
    await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const lone = newClient(`ws://127.0.0.1:${silent.address().port}/`,
        { person: "lone", connectTimeout: 200, reconnect: { initialDelay: 10, maxAttempts: 1 } });
      await assert.rejects(lone.create(), (e) => e.code === "timeout" && /gave up after 1 attempts/.test(e.message));
      assert.deepEqual(lone.seen("connection").map((c) => [c.state, c.reason]),
        [["connecting", null], ["reconnecting", "timeout"], ["closed", "timeout"]]);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

test("join with since (a reloaded page): a new client resumes where an old one left, or is told it cannot", async () => {
  const ana = newClient(server.url, { person: "ana" });
  await ana.create();
  const ben = newClient(server.url, { person: "ben" });
  await ben.join(ana.key);
  await ana.send("before");
  await waitFor(() => messages(ben).length === 1);
  const saved = { epoch: ben.epoch, offset: ben.offset };
  ben.close();  // the page goes away
  const missedOffsets = [await ana.send("while away 1"), await ana.send("while away 2")];

  const again = newClient(server.url, { person: "ben" });
  const resumed = nextEvent(again, "resumed");
  const info = await again.join(ana.key, { since: saved });
  assert.equal(info.resumed, true);
  assert.equal(info.recovered, true);
  assert.deepEqual((await resumed).missed.map((p) => p.offset), missedOffsets);
  assert.deepEqual(messages(again), ["while away 1", "while away 2"]);
  assert.equal(again.offset, missedOffsets[1]);

  // An epoch the room never had: not recovered, and the application is told to start over.
  const stale = newClient(server.url, { person: "ben" });
  const reset = nextEvent(stale, "reset");
  const staleInfo = await stale.join(ana.key, { since: { epoch: "AAAAAAAAAAA", offset: 1 } });
  assert.equal(staleInfo.recovered, false);
  assert.equal((await reset).cause, "resume");
  assert.equal(stale.epoch, ana.epoch);

  await assert.rejects(newClient(server.url, { person: "x" }).join(ana.key, { since: { epoch: 5 } }), TypeError);
  for (const client of [ana, again, stale]) client.close();
});

test("a publication is its value at the call, also from the offline queue; what JSON cannot hold is refused", async () => {
  const { proxy, ana, ben } = await room();
  const reconnect = await cutOff(proxy, ben);
  const state = { battery: 0.9 };
  const queued = ben.setState(state);
  state.battery = 0.1;  // after the call: not what was published
  await assert.rejects(ben.send({ big: 10n }), { code: "invalid_message" });
  const heard = nextEvent(ana, "publication", { filter: (p) => p.type === "state" });
  reconnect();
  const offset = await queued;
  const pub = await heard;
  assert.equal(pub.offset, offset);
  assert.deepEqual(pub.data, { battery: 0.9 });
  assert.throws(() => newClient("ftp://127.0.0.1/", { person: "x" }), TypeError);
});
