// Token auth (--auth-key, HS256) with short-lived tokens: refreshed before
// exp while connected, renewed before a reconnect once expired, and without
// a refreshToken callback the server's token_expired ends the client.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { authKey, hs256, newClient, nextEvent, sleep, startProxy, startServer, stopAll, waitFor } from "./harness.js";

// The server checks expiry in a sweep every few seconds: allow for that.
const EXPIRY_SLACK_MS = 4000;
let server;
let key;
before(async () => {
  key = authKey();
  server = await startServer({ args: ["--auth-key", key.file, "--auth-leeway", "0"] });
});
after(stopAll);

function token(sub, seconds, extra = {}) {
  return hs256(key.secret, { sub, name: sub, exp: Math.floor(Date.now() / 1000) + seconds, ...extra });
}

describe("token refresh", { concurrency: true }, () => {
  test("with a refreshToken callback the connection outlives its first token", async () => {
    const first = token("uma", 5);
    const firstExp = JSON.parse(Buffer.from(first.split(".")[1], "base64url")).exp * 1000;
    let calls = 0;
    const uma = newClient(server.url, { token: first, refreshToken: async () => { calls++; return token("uma", 5); } });
    const joined = await uma.create();
    assert.equal(joined.you.person, "uma", "the token names the member");
    const vic = newClient(server.url, { token: token("vic", 600) });
    await vic.join(uma.key);

    await sleep(Math.max(0, firstExp + EXPIRY_SLACK_MS - Date.now()));
    assert.ok(calls >= 1, "refreshToken was called");
    assert.notEqual(uma.token, first);
    assert.equal(uma.state, "connected");
    assert.deepEqual(uma.seen("connection").map((c) => c.state), ["connecting", "connected"], "never reconnected");
    assert.deepEqual(uma.seen("error"), []);
    const offset = await uma.send("still here");
    await waitFor(() => vic.seen("publication").some((p) => p.offset === offset));
    assert.ok(vic.members.some((m) => m.id === joined.you.id), "the same membership");
  });

  test("without one the server ends it at exp with token_expired, and the client closes for good", async () => {
    const wes = newClient(server.url, { token: token("wes", 2) });
    await wes.create();
    const closed = await nextEvent(wes, "closed", { timeout: 2000 + EXPIRY_SLACK_MS + 5000 });
    assert.equal(closed.error.code, "token_expired");
    assert.equal(closed.code, 1008);
    assert.equal(wes.state, "closed");
    await sleep(300);
    assert.equal(wes.seen("connection").filter((c) => c.state === "reconnecting").length, 0);
  });

  test("a token that expired while disconnected is renewed before the reconnect", async () => {
    const proxy = await startProxy(server);
    let calls = 0;
    const first = token("xia", 3);
    const xia = newClient(proxy.url, { token: first, refreshToken: async () => { calls++; return token("xia", 600); } });
    await xia.create();
    await xia.setState("keeps the room in memory while it is empty");
    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => xia.state === "reconnecting");
    const firstExp = JSON.parse(Buffer.from(first.split(".")[1], "base64url")).exp * 1000;
    await sleep(Math.max(0, firstExp + 500 - Date.now()));
    const resumed = nextEvent(xia, "resumed");
    proxy.refuse(false);
    assert.equal((await resumed).recovered, true);
    assert.ok(calls >= 1);
    assert.notEqual(xia.token, first);
  });

  test("a refresh the server refuses is reported as an error and the old token stays", async () => {
    const yan = newClient(server.url, { token: token("yan", 4), refreshToken: async () => token("someone-else", 600) });
    await yan.create();
    const error = await nextEvent(yan, "error", { timeout: 10000 });
    assert.equal(error.code, "forbidden");
    assert.equal(yan.state, "connected");
  });
});
