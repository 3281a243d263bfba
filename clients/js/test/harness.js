// Test harness: the real roomkey binary, a TCP proxy whose connections a test
// can cut, a private redis-server, and small waiting helpers. Everything
// started here is stopped by stopAll() (each test file calls it in `after`),
// and killed at process exit as a last resort.
//
// Node 20's test runner also loads this file as a test file (it is under
// test/); it only defines exports, so that costs nothing.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { RoomkeyClient } from "../roomkey.js";

const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BINARY = process.env.ROOMKEY_BINARY
  ? path.resolve(process.env.ROOMKEY_BINARY)
  : path.resolve(CLIENT_DIR, "../../build/roomkey");
export const REDIS_SERVER = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"].find(existsSync) ?? null;
const LISTENING = /listening on wss?:\/\/[^:\s]+:(\d+)/;

const cleanups = [];
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Stops everything this process started, newest first. Never throws. */
export async function stopAll() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (error) {
      console.error("cleanup failed:", error);
    }
  }
}

export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "roomkey-js-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---- roomkey ----

/**
 * A roomkey process: `store` is "memory", "sqlite" (a temp dir's db) or null
 * (none: --cluster picks its own); `args` more flags.
 */
export class RoomkeyServer {
  constructor({ store = "memory", args = [] } = {}) {
    this.store = store === "sqlite" ? `sqlite:${path.join(tempDir(), "roomkey.db")}` : store;
    this.args = args;
    this.port = null;
    this.process = null;
    this.log = [];
    cleanups.push(() => this.stop());
  }

  get url() {
    return `ws://127.0.0.1:${this.port}/`;
  }

  /** Starts it (on its previous port if it ran before) and waits until it listens. */
  async start() {
    for (let tries = 0; ; tries++) {
      try {
        return await this.#spawn();
      } catch (error) {
        // A restart may find its port still held for a moment.
        if (tries >= 20 || this.port === null || !/in use/i.test(error.message)) throw error;
        await sleep(250);
      }
    }
  }

  #spawn() {
    if (!existsSync(BINARY)) {
      return Promise.reject(new Error(`no roomkey binary at ${BINARY}: build it, or set ROOMKEY_BINARY to its path`));
    }
    const store = this.store === null ? [] : ["--store", this.store];
    const args = ["serve", "--host", "127.0.0.1", "--port", String(this.port ?? 0), ...store, "--log-level", "info",
      "--max-creates-per-minute", "0", "--threads", "1", ...this.args];
    const env = { ...process.env };
    delete env.ROOMKEY_BINARY;  // roomkey warns about unknown ROOMKEY_* variables
    const child = spawn(BINARY, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    this.process = child;
    children.add(child);
    child.on("exit", () => children.delete(child));
    return new Promise((resolve, reject) => {
      let pending = "";
      let started = false;
      const timer = setTimeout(() => fail(new Error("roomkey did not start listening within 15 s")), 15000);
      const fail = (error) => {
        clearTimeout(timer);
        reject(new Error(`${error.message}\n${this.log.slice(-30).join("\n")}`));
      };
      const onData = (chunk) => {
        pending += chunk;
        const lines = pending.split("\n");
        pending = lines.pop();
        for (const line of lines) {
          this.log.push(line);
          if (this.log.length > 2000) this.log.splice(0, 1000);
          const match = LISTENING.exec(line);
          if (match && !started) {
            started = true;
            this.port = Number(match[1]);
            clearTimeout(timer);
            child.removeListener("exit", onEarlyExit);
            resolve(this);
          }
        }
      };
      const onEarlyExit = (code, signal) => fail(new Error(`roomkey exited early (${code ?? signal}) running ${BINARY} ${args.join(" ")}`));
      child.stdout.setEncoding("utf8").on("data", onData);
      child.stderr.setEncoding("utf8").on("data", onData);
      child.on("exit", onEarlyExit);
      child.on("error", (error) => fail(new Error(`cannot run ${BINARY}: ${error.message} (set ROOMKEY_BINARY)`)));
    });
  }

  /** SIGTERM (SIGKILL after 15 s); resolves when it has exited. */
  async stop() {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
    await exited;
    clearTimeout(timer);
  }

  async restart() {
    await this.stop();
    return this.start();
  }
}

export async function startServer(options) {
  return new RoomkeyServer(options).start();
}

// ---- a TCP proxy that can cut connections ----

/**
 * Forwards 127.0.0.1:proxy.port to the given server's port. cut() ends every
 * forwarded connection at once (to the client: a network drop, close 1006);
 * refuse(true) makes it close new connections at once, until refuse(false);
 * stall() loses the bytes of one direction.
 */
export async function startProxy(server) {
  const pairs = new Set();
  let refusing = false;
  let stalled = null;
  const listener = net.createServer((client) => {
    if (refusing) {
      // Closed once the request arrives: closing before it leaves Node 20's
      // WebSocket waiting for nothing (its connectTimeout ends that).
      client.once("data", () => client.destroy());
      client.on("error", () => {});
      return;
    }
    const upstream = net.connect(server.port, "127.0.0.1");
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("error", end);
      socket.on("close", end);
    }
    // Bytes in a stalled direction are lost, as on a dead network; a test
    // cuts the connection after stalling it.
    client.on("data", (data) => { if (stalled !== "up") upstream.write(data); });
    upstream.on("data", (data) => { if (stalled !== "down") client.write(data); });
  });
  await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const proxy = {
    port: listener.address().port,
    get url() { return `ws://127.0.0.1:${this.port}/`; },
    get connections() { return pairs.size; },
    cut() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    refuse(on) { refusing = on; },
    /** "up": drop what clients send; "down": drop what the server sends; null: forward again. */
    stall(direction) { stalled = direction; },
    async close() {
      proxy.cut();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
  cleanups.push(() => proxy.close());
  return proxy;
}

// ---- redis ----

/** A private redis-server without persistence; null if none is installed. */
export async function startRedis() {
  if (!REDIS_SERVER) return null;
  const dir = tempDir();
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--dir", dir, "--protected-mode", "no", "--daemonize", "no"], { stdio: "ignore" });
  children.add(child);
  child.on("exit", () => children.delete(child));
  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pause() { child.kill("SIGSTOP"); },
    resume() { child.kill("SIGCONT"); },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
  cleanups.push(() => redis.stop());
  await waitFor(() => redisAnswers(port), { timeout: 15000, what: "redis-server to answer PING" });
  return redis;
}

function redisAnswers(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
    socket.on("error", () => resolve(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      answer += data;
      if (answer.includes("\r\n")) {
        socket.destroy();
        resolve(answer.startsWith("+PONG"));
      }
    });
  });
}

// ---- clients ----

/** A client with quick reconnects, closed by stopAll(); `client.log` records every event. */
export function newClient(url, options = {}) {
  const client = new RoomkeyClient(url, { reconnect: { initialDelay: 50, maxDelay: 400 }, ...options });
  client.log = [];
  for (const name of ["joined", "publication", "presence", "members", "connection", "resumed", "reset", "error", "destroyed", "closed"]) {
    client.on(name, (value) => client.log.push([name, value]));
  }
  client.seen = (name) => client.log.filter(([n]) => n === name).map(([, v]) => v);
  cleanups.push(() => client.close());
  return client;
}

/** The data of every "message" publication the client received, in order. */
export function messages(client) {
  return client.seen("publication").filter((p) => p.type === "message").map((p) => p.data);
}

// ---- waiting ----

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (may be async) until it returns something truthy; fails after `timeout` ms. */
export async function waitFor(check, { timeout = 10000, what = "the condition" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** The next `name` event of `client` that passes `filter`. */
export function nextEvent(client, name, { filter = () => true, timeout = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeout} ms waiting for the "${name}" event`));
    }, timeout);
    const off = client.on(name, (value) => {
      if (!filter(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

// ---- tokens ----

const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** An HS256 JWT with these claims. */
export function hs256(secret, claims) {
  const head = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(claims)}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}

/** Writes an HS256 secret (32+ bytes) to a temp file: returns {secret, file}. */
export function authKey() {
  const secret = "roomkey-js-test-secret-0123456789abcdef";
  const file = path.join(tempDir(), "auth.key");
  writeFileSync(file, secret);
  return { secret, file };
}

