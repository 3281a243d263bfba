// The real roomkey binary as a child process on a free port of 127.0.0.1,
// started and stopped (SIGTERM) by a test; started again on the same port.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const BINARY = process.env.ROOMKEY_BINARY || fileURLToPath(new URL("../../build/roomkey", import.meta.url));

async function freePort() {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address();
  probe.close();
  await once(probe, "close");
  return port;
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

export class RoomkeyProcess {
  constructor(args = []) {
    this.args = args;
    this.port = 0;
    this.child = null;
    this.output = "";
  }

  get httpUrl() { return `http://127.0.0.1:${this.port}/`; }
  get url() { return `ws://127.0.0.1:${this.port}/`; }

  async start() {
    if (!this.port) this.port = await freePort();
    this.child = spawn(BINARY, ["serve", "--host", "127.0.0.1", "--port", String(this.port), "--log-level", "warn", ...this.args],
                       { stdio: ["ignore", "pipe", "pipe"] });
    const child = this.child;
    child.stdout.on("data", (chunk) => { this.output += chunk; });
    child.stderr.on("data", (chunk) => { this.output += chunk; });
    const deadline = Date.now() + 20_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`roomkey exited with ${child.exitCode}: ${this.output}`);
      if (Date.now() > deadline) throw new Error(`roomkey did not listen on ${this.port}: ${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }
}
