// roomkey.js in a real browser (headless Chromium, when installed): a page
// imports the module as the server will serve it, creates a room, joins it
// with a second client, publishes, reads history and destroys the room.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";

import { startServer, stopAll, tempDir } from "./harness.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(existsSync);
const MODULE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../roomkey.js");
after(stopAll);

const page = (url) => `<!doctype html><script type="module">
import { RoomkeyClient, RoomkeyError } from "./roomkey.js";
const report = (result) => fetch("/result", { method: "POST", body: JSON.stringify(result) });
try {
  const ana = new RoomkeyClient(${JSON.stringify(url)}, { person: "ana" });
  const ben = new RoomkeyClient(${JSON.stringify(url)}, { person: "ben" });
  await ana.create();
  await ben.join(ana.key);
  const heard = new Promise((resolve) => ben.on("location", resolve));
  const offset = await ana.sendLocation(52.5, 13.4);
  const pub = await heard;
  const history = await ben.history();
  let refused = null;
  try { await ana.sendLocation(99, 0); } catch (error) { refused = error instanceof RoomkeyError ? error.code : String(error); }
  const benClosed = new Promise((resolve) => ben.on("closed", resolve));
  await ana.destroy();
  const closed = await benClosed;
  report({ offset, pubOffset: pub.offset, fromAna: pub.from === ana.me.id, held: history.publications.length,
    refused, anaState: ana.state, benError: closed.error.code });
} catch (error) {
  report({ error: String(error), stack: error.stack });
}
</script>`;

test("roomkey.js works in a browser as an ES module", { skip: CHROMIUM ? false : "no chromium installed", timeout: 60000 }, async () => {
  const server = await startServer();
  let deliver;
  const result = new Promise((resolve) => { deliver = resolve; });
  const web = http.createServer((req, res) => {
    if (req.url === "/result") {
      let body = "";
      req.on("data", (chunk) => { body += chunk; });
      req.on("end", () => { res.end(); deliver(JSON.parse(body)); });
    } else if (req.url === "/roomkey.js") {
      res.setHeader("content-type", "text/javascript");
      res.end(readFileSync(MODULE));
    } else {
      res.setHeader("content-type", "text/html");
      res.end(page(server.url));
    }
  });
  await new Promise((resolve) => web.listen(0, "127.0.0.1", resolve));
  const browser = spawn(CHROMIUM, ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    `--user-data-dir=${tempDir()}`, `http://127.0.0.1:${web.address().port}/`], { stdio: "ignore", detached: true });
  const timer = setTimeout(deliver, 45000, { error: "no result within 45 s" });
  try {
    const got = await result;
    assert.deepEqual(got, { offset: 1, pubOffset: 1, fromAna: true, held: 1, refused: "invalid_location", anaState: "closed", benError: "destroyed" });
  } finally {
    clearTimeout(timer);
    if (browser.exitCode === null) {
      const exited = new Promise((resolve) => browser.once("exit", resolve));
      process.kill(-browser.pid, "SIGKILL");  // its own process group: the browser and its helpers
      await exited;
    }
    web.closeAllConnections();
    await new Promise((resolve) => web.close(resolve));
  }
});
