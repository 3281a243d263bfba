// The page at / in a real browser: Debian's chromium, headless, driven by
// playwright-core, against the real roomkey binary on SQLite. Two people
// create and join through the link, one walks (simulated) and appears on the
// other's plot, they chat both ways, a reload resumes, a server restart shows
// on the badge and recovers, a phone-sized screen works, and a destroy ends
// both.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

// The JS client's test harness starts the real binary (ROOMKEY_BINARY) and stops it.
import { RoomkeyServer, authKey, hs256, stopAll, tempDir } from "../../clients/js/test/harness.js";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Where the screenshots go: docs/ when asked (to refresh the README's), else a temp dir.
const SCREENSHOTS = process.env.ROOMKEY_SCREENSHOTS || null;
const WAIT = 30_000;
// As root on a closed network: no sandbox, and no calls home that would be refused.
const BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"];  // generous: the machines are shared and slow; nothing here is a timing assertion

describe("the page at /", () => {
  let dir, server, browser;
  let ana, ben;  // pages
  let joinLink;

  before(async () => {
    dir = tempDir();
    server = new RoomkeyServer({ store: "sqlite" });
    await server.start();
    server.httpUrl = `http://127.0.0.1:${server.port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  async function newPage(options = {}) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on("pageerror", (error) => { page.uncaught = (page.uncaught || []).concat(String(error)); });
    return page;
  }

  const badge = (page) => page.locator("#connection");
  const waitForState = (page, state) =>
    page.waitForSelector(`#connection[data-state="${state}"]`, { timeout: WAIT });
  const chatLine = (page, person, text) =>
    page.locator(`#chat li[data-person="${person}"]`, { hasText: text });

  it("serves a page that creates a room and hands out its link", async () => {
    ana = await newPage({ viewport: { width: 1200, height: 800 } });
    await ana.goto(server.httpUrl);
    assert.equal(await ana.title(), "roomkey");
    await ana.fill("#name", "ana");
    await ana.click("#create");
    await waitForState(ana, "connected");
    joinLink = await ana.inputValue("#share-link");
    assert.match(joinLink, new RegExp(`^${server.httpUrl}#join=[A-Za-z0-9_-]{22}$`));
    assert.equal(await ana.locator("#destroy").isVisible(), true, "the creator owns the room");
    await ana.locator('#members li[data-person="ana"].online').waitFor({ timeout: WAIT });
  });

  it("lets a second person join through the link, and each sees the other", async () => {
    ben = await newPage({ viewport: { width: 1200, height: 800 } });
    await ben.goto(joinLink);
    assert.equal(await ben.locator("#join").isVisible(), true);
    await ben.fill("#name", "ben");
    await ben.click("#join");
    await waitForState(ben, "connected");
    assert.equal(await ben.locator("#destroy").isVisible(), false, "only the owner may destroy");
    await ben.locator('#members li[data-person="ana"].online').waitFor({ timeout: WAIT });
    await ana.locator('#members li[data-person="ben"].online').waitFor({ timeout: WAIT });
  });

  it("shows the simulated walker on the other's plot, moving", async () => {
    await ana.check("#simulate");
    const point = ben.locator('#plot g.point[data-person="ana"]');
    await point.waitFor({ timeout: WAIT });
    const first = await point.getAttribute("data-latitude");
    await ben.waitForFunction(
      (before) => {
        const node = document.querySelector('#plot g.point[data-person="ana"]');
        return node && node.dataset.latitude !== before;
      },
      first, { timeout: WAIT });
    assert.equal(await point.locator("text").textContent(), "ana", "the name is beside the point");
  });

  it("puts a shared browser location on the plot", async () => {
    await ben.context().grantPermissions(["geolocation"]);
    await ben.context().setGeolocation({ latitude: 48.8584, longitude: 2.2945 });
    await ben.check("#share-location");
    const point = ana.locator('#plot g.point[data-person="ben"]');
    await point.waitFor({ timeout: WAIT });
    assert.equal(Number(await point.getAttribute("data-latitude")), 48.8584);
    assert.equal(Number(await point.getAttribute("data-longitude")), 2.2945);
    await ben.uncheck("#share-location");
  });

  it("carries chat both ways", async () => {
    await ana.fill("#chat-input", "hello from ana");
    await ana.press("#chat-input", "Enter");
    await chatLine(ben, "ana", "hello from ana").waitFor({ timeout: WAIT });
    await ben.fill("#chat-input", "hi ana, ben here");
    await ben.click("#chat-send");
    await chatLine(ana, "ben", "hi ana, ben here").waitFor({ timeout: WAIT });
    // The sender's own line loses its pending mark once the server acknowledged it.
    await ben.locator('#chat li[data-person="ben"]:not(.pending)', { hasText: "hi ana" }).waitFor({ timeout: WAIT });
  });

  it("looks right (a screenshot for docs/)", async () => {
    await ben.check("#simulate");
    await ana.locator('#plot g.point[data-person="ben"]').waitFor({ timeout: WAIT });
    await ana.locator('#plot g.point[data-person="ana"]').waitFor({ timeout: WAIT });
    await screenshot(ana, "page.png");
    await ben.uncheck("#simulate");
  });

  it("resumes after a reload without losing the conversation", async () => {
    await ben.reload();
    await waitForState(ben, "resumed");
    await chatLine(ben, "ana", "hello from ana").waitFor({ timeout: WAIT });
    await ana.fill("#chat-input", "still there?");
    await ana.press("#chat-input", "Enter");
    await chatLine(ben, "ana", "still there?").waitFor({ timeout: WAIT });
    assert.equal(await chatLine(ben, "ana", "hello from ana").count(), 1, "nothing shown twice");
  });

  it("shows a server restart on the badge, then recovers", async () => {
    await server.stop();
    await waitForState(ana, "reconnecting");
    await waitForState(ben, "reconnecting");
    await server.start();  // same port, same database: the room is still there, under a new epoch
    await waitForState(ana, "reset");
    await waitForState(ben, "reset");
    await ben.fill("#chat-input", "back again");
    await ben.press("#chat-input", "Enter");
    await chatLine(ana, "ben", "back again").waitFor({ timeout: WAIT });
    await ana.locator('#members li[data-person="ben"].online').waitFor({ timeout: WAIT });
  });

  it("fits a phone's narrow screen", async () => {
    const phone = await newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.goto(joinLink);
    await phone.fill("#name", "cy");
    await phone.tap("#join");
    await waitForState(phone, "connected");
    await phone.locator('#plot g.point[data-person="ana"]').waitFor({ timeout: WAIT });
    const widths = await phone.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    assert.ok(widths.page <= widths.viewport, `no sideways scrolling: page ${widths.page} px wide, screen ${widths.viewport}`);
    for (const id of ["#plot", "#chat-input", "#chat-send", "#members", "#share-link", "#connection"]) {
      const box = await phone.locator(id).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= widths.viewport + 0.5, `${id} fits the screen: ${JSON.stringify(box)}`);
    }
    // A newcomer gets the recent chat (history), and nothing else in it.
    await chatLine(phone, "ben", "back again").waitFor({ timeout: WAIT });
    assert.equal(await phone.locator("#chat li[data-person] .text:empty").count(), 0, "no empty chat lines");
    await phone.fill("#chat-input", "on my phone");
    await phone.tap("#chat-send");
    await chatLine(ana, "cy", "on my phone").waitFor({ timeout: WAIT });
    await screenshot(phone, "page-phone.png");
    await phone.context().close();
    await ana.locator('#members li[data-person="cy"]:not(.online)', { hasText: "last seen" }).waitFor({ timeout: WAIT });
  });

  it("ends the room for both when the owner destroys it", async () => {
    await ana.click("#destroy");
    await ana.click("#destroy");  // the second click confirms
    await waitForState(ana, "closed");
    await waitForState(ben, "closed");
    assert.match(await ben.locator("#notice").textContent(), /destroyed/);
    assert.match(await ana.locator("#notice").textContent(), /destroyed/);
    // The link is dead now: a new visitor is told so.
    const late = await newPage();
    await late.goto(joinLink);
    await late.fill("#name", "dan");
    await late.click("#join");
    await late.locator("#notice", { hasText: "does not exist" }).waitFor({ timeout: WAIT });
    // ... and offered a room of their own instead, on which everything works again.
    await late.click("#create");
    await waitForState(late, "connected");
    assert.notEqual(await late.inputValue("#share-link"), joinLink);
    assert.equal(await late.locator("#chat-input").isDisabled(), false);
    for (const page of [ana, ben, late]) assert.deepEqual(page.uncaught || [], [], "no uncaught errors on the page");
  });

  async function screenshot(page, name) {
    const folder = SCREENSHOTS || join(dir, "screenshots");
    mkdirSync(folder, { recursive: true });
    await page.screenshot({ path: join(folder, name), fullPage: true });
  }
});

describe("the page over wss:// with token auth", () => {
  let server, browser, url, secret;

  before(async () => {
    const dir = tempDir();
    const cert = join(dir, "cert.pem"), key = join(dir, "key.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
    const auth = authKey();
    secret = auth.secret;
    server = await new RoomkeyServer({ args: ["--tls-cert", cert, "--tls-key", key, "--auth-key", auth.file] }).start();
    url = `https://127.0.0.1:${server.port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  const token = (sub) => hs256(secret, { sub, name: sub, exp: Math.floor(Date.now() / 1000) + 600 });

  async function open(link) {
    // The certificate is self-signed: the browser is told to accept it, for https:// and wss:// alike.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(link);
    return page;
  }

  it("creates with the token in the link, and a second token joins through the room's link", async () => {
    const uma = await open(`${url}#token=${token("uma")}`);
    assert.equal(await uma.inputValue("#name"), "uma", "the name comes from the token");
    await uma.click("#create");
    await uma.waitForSelector('#connection[data-state="connected"]', { timeout: WAIT });
    const link = await uma.inputValue("#share-link");
    assert.match(link, /^https:\/\/127\.0\.0\.1:\d+\/#join=[A-Za-z0-9_-]{22}$/, "the shared link carries no token");

    const vic = await open(`${link}&token=${token("vic")}`);  // a link with a token joins at once
    await vic.waitForSelector('#connection[data-state="connected"]', { timeout: WAIT });
    await uma.locator('#members li[data-person="vic"].online').waitFor({ timeout: WAIT });
    await vic.fill("#chat-input", "over wss");
    await vic.press("#chat-input", "Enter");
    await uma.locator('#chat li[data-person="vic"]', { hasText: "over wss" }).waitFor({ timeout: WAIT });

    const stranger = await open(link);  // no token: the server refuses, and the page says why
    await stranger.fill("#name", "eve");
    await stranger.click("#join");
    await stranger.locator("#notice", { hasText: "needs a token" }).waitFor({ timeout: WAIT });
  });
});
