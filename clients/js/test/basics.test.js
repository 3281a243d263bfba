// Entering rooms, publications and acks, presence, history, destroy and
// refusals, against the real server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { RoomkeyClient, RoomkeyError } from "../roomkey.js";
import { writeFileSync } from "node:fs";
import path from "node:path";

import { messages, newClient, nextEvent, sleep, startProxy, startServer, stopAll, tempDir, waitFor } from "./harness.js";

const API_KEY = "roomkey-js-test-api-key";
let server;
before(async () => {
  const apiKeyFile = path.join(tempDir(), "api.key");
  writeFileSync(apiKeyFile, `${API_KEY}\n`);
  server = await startServer({ args: ["--api-key-file", apiKeyFile] });
});

/** Calls the server's HTTP API. */
async function api(method, route, body) {
  const reply = await fetch(`http://127.0.0.1:${server.port}/api/${route}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: reply.status, body: await reply.json() };
}
after(stopAll);

test("create and join: acks carry consecutive offsets, the other member gets each publication in order with from and person", async () => {
  const ana = newClient(server.url, { person: "ana" });
  const created = await ana.create();
  assert.equal(created.created, true);
  assert.equal(created.owner, true);
  assert.equal(created.resumed, false);
  assert.equal(created.recovered, null);
  assert.match(created.join, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(ana.state, "connected");
  assert.equal(ana.key, created.join);
  assert.deepEqual(ana.me, { id: created.you.id, person: "ana" });
  assert.deepEqual(ana.members, [ana.me]);

  const joinSeen = nextEvent(ana, "presence");
  const ben = newClient(server.url, { person: "ben" });
  const joined = await ben.join(ana.key);
  assert.equal(joined.created, false);
  assert.equal(joined.owner, false);
  assert.deepEqual(joined.members, [ana.me, ben.me]);
  assert.deepEqual(await joinSeen, { event: "join", member: ben.me, reason: undefined });
  assert.deepEqual(ana.members, [ana.me, ben.me]);
  assert.deepEqual(ana.seen("members").at(-1), [ana.me, ben.me]);

  const offsets = await Promise.all([
    ana.send({ text: "one" }),
    ana.sendLocation(52.52, 13.405),
    ana.setState({ battery: 0.5 }),
    ana.send("four"),
    ana.send(5),
  ]);
  for (let i = 1; i < offsets.length; i++) assert.equal(offsets[i], offsets[0] + i);
  assert.equal(ana.offset, offsets.at(-1));

  await waitFor(() => ben.seen("publication").length === 5, { what: "ben to receive 5 publications" });
  const pubs = ben.seen("publication");
  assert.deepEqual(pubs.map((p) => p.offset), offsets);
  assert.deepEqual(pubs.map((p) => p.type), ["message", "Location Data", "state", "message", "message"]);
  for (const p of pubs) {
    assert.equal(p.from, ana.me.id);
    assert.equal(p.person, "ana");
  }
  assert.deepEqual(messages(ben), [{ text: "one" }, "four", 5]);
  assert.equal(pubs[1].latitude, 52.52);
  assert.equal(ben.offset, offsets.at(-1));
  // The last-known state follows the publications: latest per person and type.
  assert.deepEqual(ben.lastKnown.map((p) => [p.type, p.offset]), [["Location Data", offsets[1]], ["state", offsets[2]]]);

  // Typed events mirror "publication".
  const location = nextEvent(ana, "location");
  const state = nextEvent(ana, "state");
  const message = nextEvent(ana, "message");
  await ben.sendLocation(-33.9, 18.4);
  await ben.setState("here");
  await ben.send("hi");
  assert.equal((await location).latitude, -33.9);
  assert.equal((await state).data, "here");
  assert.equal((await message).data, "hi");
  assert.deepEqual(ana.lastKnown.filter((p) => p.person === "ben").map((p) => p.type), ["Location Data", "state"]);

  // A publication the server refuses rejects with the error that carries its id.
  await assert.rejects(ben.sendLocation(95, 0), (e) => e instanceof RoomkeyError && e.code === "invalid_location" && Number.isInteger(e.id));

  const leaveSeen = nextEvent(ana, "presence", { filter: (p) => p.event === "leave" });
  const benMe = ben.me;
  ben.close();
  assert.equal(ben.state, "closed");
  assert.deepEqual(await leaveSeen, { event: "leave", member: benMe, reason: "closed" });
  assert.deepEqual(ana.members, [ana.me]);
  assert.equal(ben.seen("closed").length, 1);
  assert.equal(ben.seen("closed")[0].error, null);
  ana.close();
});

test("history() and presence() answer, also when asked while disconnected", async () => {
  const ana = newClient(server.url, { person: "ana" });
  await ana.create();
  const offsets = [];
  for (const text of ["a", "b", "c"]) offsets.push(await ana.send(text));
  const proxy = await startProxy(server);
  const ben = newClient(proxy.url, { person: "ben" });
  await ben.join(ana.key);

  const all = await ben.history();
  assert.equal(all.epoch, ana.epoch);
  assert.equal(all.offset, offsets[2]);
  assert.deepEqual(all.publications.map((p) => p.data), ["a", "b", "c"]);
  const page = await ben.history({ since: offsets[0], limit: 1 });
  assert.deepEqual(page.publications.map((p) => p.offset), [offsets[1]]);
  assert.deepEqual(await ben.presence(), [ana.me, ben.me]);
  await assert.rejects(ben.history({ limit: 0 }), { code: "invalid_history" });

  // Asked while the network is down: answered after the reconnect.
  proxy.refuse(true);
  proxy.cut();
  await nextEvent(ben, "connection", { filter: (c) => c.state === "reconnecting" });
  const history = ben.history({ since: offsets[1] });
  const presence = ben.presence();
  await sleep(200);
  proxy.refuse(false);
  assert.deepEqual((await history).publications.map((p) => p.data), ["c"]);
  const members = await presence;
  assert.ok(members.some((m) => m.id === ben.me.id));
  ana.close();
  ben.close();
});

test("destroy() ends the room for both members: no reconnect after", async () => {
  const ana = newClient(server.url, { person: "ana" });
  await ana.create();
  const ben = newClient(server.url, { person: "ben" });
  await ben.join(ana.key);
  const benClosed = nextEvent(ben, "closed");
  const benDestroyed = nextEvent(ben, "destroyed");

  await ana.destroy();
  assert.equal(ana.state, "closed");
  assert.deepEqual(await benDestroyed, { join: ana.key });
  const closed = await benClosed;
  assert.equal(closed.error.code, "destroyed");
  assert.equal(ben.state, "closed");
  await assert.rejects(ben.send("late"), { code: "closed" });
  await sleep(300);
  assert.equal(ben.seen("connection").filter((c) => c.state === "reconnecting").length, 0);
  assert.deepEqual(ana.seen("destroyed"), [{ join: ana.key }]);

  // The key is gone: joining it is refused once, without retrying.
  const cleo = newClient(server.url, { person: "cleo" });
  await assert.rejects(cleo.join(ana.key), (e) => e instanceof RoomkeyError && e.code === "not_found");
  assert.equal(cleo.state, "closed");
  assert.equal(cleo.seen("closed")[0].error.code, "not_found");
  await sleep(300);
  assert.equal(cleo.seen("connection").filter((c) => c.state === "reconnecting").length, 0);
});

test("a join of an unknown key rejects with not_found and does not retry", async () => {
  const dan = newClient(server.url, { person: "dan" });
  const joining = dan.join("AAAAAAAAAAAAAAAAAAAAAA");
  const queued = dan.send("never sent");
  await assert.rejects(joining, { code: "not_found" });
  await assert.rejects(queued, { code: "closed" });
  assert.deepEqual(dan.seen("connection").map((c) => c.state), ["connecting", "closed"]);
});

test("misuse is refused clearly: no WebSocket, no person, calls before create/join, a second create", async () => {
  assert.throws(() => new RoomkeyClient(server.url, { person: "x", WebSocket: null }), { code: "no_websocket" });
  assert.throws(() => new RoomkeyClient(server.url, {}), TypeError);
  const eve = newClient(server.url, { person: "eve" });
  assert.equal(eve.state, "idle");
  await assert.rejects(eve.send("x"), { code: "not_connected" });
  await assert.rejects(eve.presence(), { code: "not_connected" });
  assert.throws(() => eve.on("nonsense", () => {}), TypeError);
  const seen = [];
  const onState = (c) => seen.push(`on:${c.state}`);
  const onceState = (c) => seen.push(`once:${c.state}`);
  const off = eve.on("connection", onState);
  eve.once("connection", onceState);
  const removed = () => seen.push("removed");
  eve.once("connection", removed);
  eve.off("connection", removed);
  await eve.create();
  off();
  assert.deepEqual(seen, ["on:connecting", "once:connecting", "on:connected"]);
  await assert.rejects(eve.create(), { code: "already_in_room" });
  await assert.rejects(eve.send(undefined), { code: "invalid_message" });
  eve.close();
  eve.close();
  await assert.rejects(eve.join("x"), { code: "closed" });
  assert.equal(eve.seen("closed").length, 1);
});

test("publications the rate limit drops are rejected with rate_limited once a later ack shows the gap", async () => {
  const strict = await startServer({ args: ["--max-messages-per-second", "5"] });
  const ana = newClient(strict.url, { person: "ana" });
  await ana.create();
  await sleep(1100);  // a full allowance (a burst of 10 messages)
  const burst = [];
  for (let i = 0; i < 14; i++) burst.push(ana.send(i).then((offset) => ({ offset }), (error) => ({ error })));
  await waitFor(() => ana.seen("error").length >= 1, { what: "a rate_limited error" });
  assert.equal(ana.seen("error")[0].code, "rate_limited");
  await sleep(1100);
  const later = await ana.send("later");
  const settled = await Promise.all(burst);
  const acked = settled.filter((s) => "offset" in s);
  const dropped = settled.filter((s) => "error" in s);
  assert.ok(acked.length >= 1 && dropped.length >= 1, JSON.stringify(settled));
  assert.ok(dropped.every((s) => s.error.code === "rate_limited"));
  assert.equal(acked.length + dropped.length, 14);
  assert.equal(later, acked.at(-1).offset + 1, "the dropped ones took no offset");
  assert.equal(ana.state, "connected");
});

test("kicked by the server's HTTP API: closed for good with kicked, no reconnect; the API's publications arrive from server", async () => {
  const ana = newClient(server.url, { person: "ana" });
  await ana.create();
  const ben = newClient(server.url, { person: "ben" });
  await ben.join(ana.key);

  const published = await api("POST", `rooms/${ana.key}/publish`, { data: { alert: "hello" }, person: "dispatch" });
  assert.equal(published.status, 200);
  await waitFor(() => messages(ben).length === 1);
  const pub = ben.seen("publication")[0];
  assert.equal(pub.from, "server");
  assert.equal(pub.person, "dispatch");
  assert.equal(pub.offset, published.body.offset);

  const leave = nextEvent(ana, "presence", { filter: (p) => p.event === "leave" });
  const closed = nextEvent(ben, "closed");
  const pending = ben.history();
  assert.deepEqual((await api("POST", `rooms/${ana.key}/kick`, { id: ben.me.id })).body, { kicked: 1 });
  const { code, error } = await closed;
  assert.equal(error.code, "kicked");
  assert.equal(code, 1008);
  assert.equal((await leave).reason, "dropped");
  await pending.then(() => {}, () => {});  // answered before the kick, or rejected with closed
  await sleep(300);
  assert.equal(ben.state, "closed");
  assert.equal(ben.seen("connection").filter((c) => c.state === "reconnecting").length, 0);
  ana.close();
});
