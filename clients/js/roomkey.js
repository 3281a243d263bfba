// roomkey.js: the JavaScript client of roomkey's protocol v2 (docs/protocol-v2.md).
//
// One ES module without dependencies or Node imports: it runs in browsers and
// in Node 20+ (with --experimental-websocket, or a WebSocket passed in).
// A RoomkeyClient is one membership that outlives its sockets: when a socket
// drops it reconnects with backoff, resumes from the last offset it saw, and
// settles every promise exactly once (by an ack, by the resume's `missed`, or
// with an error saying what is known).

const EVENTS = new Set(["joined", "publication", "location", "message", "state", "presence", "members",
  "connection", "resumed", "reset", "error", "destroyed", "closed"]);
const EVENT_OF_TYPE = { "Location Data": "location", message: "message", state: "state" };
const RECONNECT_DEFAULTS = { initialDelay: 500, maxDelay: 15000, factor: 2, jitter: 0.5, maxAttempts: Infinity };
// Close codes after which another try may work: abnormal (1006), none given
// (1005), going away (1001), server trouble (1011-1014). 1008 without an error
// before it is a slow-consumer close, also worth retrying.
const RETRY_CLOSE_CODES = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014]);
// Errors before "joined" that another try may cure; any other one is final.
const RETRY_INIT_CODES = new Set(["store_unavailable", "room_limit", "init_timeout"]);
const TOKEN_MARGIN_MS = 1000;
const MIN_REFRESH_DELAY_MS = 1000;  // between two refreshes of a token, whatever its exp says  // a token this close to its exp counts as expired before a reconnect

export class RoomkeyError extends Error {
  constructor(code, message, { id, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RoomkeyError";
    this.code = code;
    this.id = id;
  }
}

export class RoomkeyClient {
  #url;
  #person;
  #token;
  #tokenStale = false;      // the server said the token expired: refresh before the next try
  #refreshToken;
  #WebSocket;
  #reconnect;
  #queueSize;
  #connectTimeout;
  #listeners = new Map();

  #state = "idle";
  #key = null;
  #epoch = null;
  #offset = 0;
  #me = null;
  #owner = false;
  #members = [];
  #lastKnown = [];

  #conn = null;             // the current socket: {ws, since, joined, memberId, outcome, timer, lastError, rateLimited}
  #entering = null;         // create()/join()'s promise until the first "joined"
  #attempt = 0;             // failed tries since the last "joined"
  #retryTimer = null;
  #refreshTimer = null;
  #nextId = 1;
  #inflight = new Map();    // id -> publication sent on a socket and not settled, in send order
  #queue = [];              // publications made while not connected, in call order
  #requests = [];           // history / presence / destroy / refresh, answered in order per kind

  constructor(url, options = {}) {
    if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError("RoomkeyClient: url must be a ws:// or wss:// URL");
    const { person, token, refreshToken, WebSocket: ws = globalThis.WebSocket, reconnect = {},
      queueSize = 100, connectTimeout = 10000 } = options;
    if (person === undefined && token === undefined) throw new TypeError("RoomkeyClient: give options.person or options.token");
    if (person !== undefined && typeof person !== "string") throw new TypeError("RoomkeyClient: options.person must be a string");
    if (token !== undefined && typeof token !== "string") throw new TypeError("RoomkeyClient: options.token must be a string");
    if (refreshToken !== undefined && typeof refreshToken !== "function") throw new TypeError("RoomkeyClient: options.refreshToken must be a function");
    if (typeof ws !== "function") {
      throw new RoomkeyError("no_websocket", "No WebSocket implementation: pass options.WebSocket, or run Node 20 with --experimental-websocket (Node 22+ has one built in).");
    }
    if (!(Number.isInteger(queueSize) && queueSize >= 0)) throw new TypeError("RoomkeyClient: options.queueSize must be a non-negative integer");
    if (!(connectTimeout > 0)) throw new TypeError("RoomkeyClient: options.connectTimeout must be a positive number of ms");
    this.#url = String(url);
    let scheme = null;
    try {
      scheme = new URL(this.#url).protocol;
    } catch {
      // reported below
    }
    if (!["ws:", "wss:", "http:", "https:"].includes(scheme)) throw new TypeError(`RoomkeyClient: "${this.#url}" is not a ws:// or wss:// URL`);
    this.#person = person;
    this.#token = token;
    this.#refreshToken = refreshToken;
    this.#WebSocket = ws;
    this.#reconnect = reconnect === false ? false : { ...RECONNECT_DEFAULTS, ...reconnect };
    this.#queueSize = queueSize;
    this.#connectTimeout = connectTimeout;
  }

  get state() { return this.#state; }
  get key() { return this.#key; }
  get epoch() { return this.#epoch; }
  get offset() { return this.#offset; }
  get me() { return this.#me && { ...this.#me }; }
  get owner() { return this.#owner; }
  get members() { return this.#members.map((m) => ({ ...m })); }
  get lastKnown() { return this.#lastKnown.slice(); }
  get token() { return this.#token; }
  /** Publications waiting for a connection (the offline queue). */
  get queued() { return this.#queue.length; }

  // ---- events ----

  on(name, fn) {
    if (!EVENTS.has(name)) throw new TypeError(`RoomkeyClient: no event "${name}"`);
    if (typeof fn !== "function") throw new TypeError("RoomkeyClient: a listener must be a function");
    if (!this.#listeners.has(name)) this.#listeners.set(name, new Set());
    this.#listeners.get(name).add(fn);
    return () => this.off(name, fn);
  }

  off(name, fn) {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of set) if (listener === fn || listener.listener === fn) set.delete(listener);
  }

  once(name, fn) {
    if (typeof fn !== "function") throw new TypeError("RoomkeyClient: a listener must be a function");
    const wrapper = (value) => { off(); fn(value); };
    wrapper.listener = fn;  // so that off(name, fn) removes it too
    const off = this.on(name, wrapper);
    return off;
  }

  #emit(name, value) {
    for (const fn of [...(this.#listeners.get(name) ?? [])]) {
      try {
        fn(value);
      } catch (error) {
        // A listener's bug must not break the connection's bookkeeping:
        // report it the way EventTarget does, outside this call.
        if (typeof globalThis.reportError === "function") globalThis.reportError(error);
        else setTimeout(() => { throw error; });
      }
    }
  }

  // ---- entering a room ----

  create() {
    return this.#enter(null);
  }

  // `since` ({epoch, offset}, as `epoch` and `offset` were when a previous
  // client left: a page that was reloaded, an app that was restarted) makes
  // the first join a resume: `joined` then says whether it was recovered, and
  // what was missed arrives as publications.
  join(key, { since } = {}) {
    if (typeof key !== "string" || key === "") return Promise.reject(new TypeError("RoomkeyClient.join: key must be a non-empty string"));
    if (since !== undefined) {
      if (!since || typeof since.epoch !== "string" || !(Number.isInteger(since.offset) && since.offset >= 0)) {
        return Promise.reject(new TypeError("RoomkeyClient.join: since must be {epoch: string, offset: non-negative integer}"));
      }
      if (this.#state === "idle") {
        this.#epoch = since.epoch;
        this.#offset = since.offset;
      }
    }
    return this.#enter(key);
  }

  #enter(key) {
    if (this.#state === "closed") return Promise.reject(this.#closedError("The client is closed."));
    if (this.#state !== "idle") return Promise.reject(new RoomkeyError("already_in_room", "This client already entered a room: use a new RoomkeyClient for another."));
    this.#key = key;
    this.#entering = deferred();
    this.#setState("connecting");
    this.#start();
    return this.#entering.promise;
  }

  // ---- publications ----

  sendLocation(latitude, longitude) {
    return this.#publish({ type: "Location Data", latitude, longitude });
  }

  send(data) {
    return this.#publish({ type: "message", data });
  }

  setState(data) {
    return this.#publish({ type: "state", data });
  }

  #publish(frame) {
    if (this.#state === "idle") return Promise.reject(new RoomkeyError("not_connected", "Call create() or join() first."));
    if (this.#state === "closed") return Promise.reject(this.#closedError("The client is closed."));
    if (frame.type !== "Location Data" && frame.data === undefined) {
      return Promise.reject(new RoomkeyError("invalid_message", `A ${frame.type} needs data (any JSON value).`));
    }
    const id = this.#nextId++;
    // The frame is written down now: what is sent (perhaps after a reconnect)
    // is the value at the call, even if the caller changes its object later.
    let json;
    try {
      json = JSON.stringify({ ...frame, id });
    } catch (cause) {
      return Promise.reject(new RoomkeyError("invalid_message", `This ${frame.type} cannot be sent as JSON: ${cause?.message ?? cause}`, { cause }));
    }
    const snapshot = JSON.parse(json);
    const d = deferred();
    const rec = { id, frame: snapshot, json, text: snapshot.data === undefined ? null : JSON.stringify(snapshot.data),
      memberId: null, conn: null, resolve: d.resolve, reject: d.reject };
    if (this.#isLive()) {
      this.#transmit(rec);
    } else if (this.#queue.length < this.#queueSize) {
      this.#queue.push(rec);
    } else {
      return Promise.reject(new RoomkeyError("queue_full", `Not connected and ${this.#queueSize} publications already wait to be sent (options.queueSize): this one was not sent.`));
    }
    return d.promise;
  }

  #transmit(rec) {
    rec.conn = this.#conn;
    rec.memberId = this.#me.id;
    this.#inflight.delete(rec.id);  // a resent one moves behind the others, in resend order
    this.#inflight.set(rec.id, rec);
    this.#writeText(this.#conn, rec.json);
  }

  // ---- requests ----

  history({ since, limit } = {}) {
    const frame = { type: "history" };
    if (since !== undefined) {
      if (!(Number.isInteger(since) && since >= 0)) return Promise.reject(new RoomkeyError("invalid_history", "history: since must be a non-negative integer."));
      frame.since = since;
    }
    if (limit !== undefined) {
      if (!(Number.isInteger(limit) && limit >= 1 && limit <= 10000)) return Promise.reject(new RoomkeyError("invalid_history", "history: limit must be an integer from 1 to 10000."));
      frame.limit = limit;
    }
    return this.#request("history", frame);
  }

  presence() {
    return this.#request("presence", { type: "presence" });
  }

  destroy() {
    return this.#request("destroy", null);
  }

  #request(kind, frame) {
    if (this.#state === "idle") return Promise.reject(new RoomkeyError("not_connected", "Call create() or join() first."));
    if (this.#state === "closed") return Promise.reject(this.#closedError("The client is closed."));
    const waiting = this.#requests.filter((r) => r.sentOn === null).length;
    if (!this.#isLive() && waiting >= this.#queueSize) {
      return Promise.reject(new RoomkeyError("queue_full", `Not connected and ${waiting} requests already wait to be sent (options.queueSize): this one was not sent.`));
    }
    const d = deferred();
    const req = { kind, frame, sentOn: null, resolve: d.resolve, reject: d.reject };
    this.#requests.push(req);
    if (this.#isLive()) this.#sendRequest(req);
    return d.promise;
  }

  #sendRequest(req) {
    req.sentOn = this.#conn;
    req.everSent = true;
    this.#write(this.#conn, req.kind === "destroy" ? { type: "destroy", join: this.#key } : req.frame);
  }

  // The oldest request of one of these kinds sent on this socket: the server
  // answers each socket's requests of a kind in order.
  #takeRequest(conn, ...kinds) {
    const i = this.#requests.findIndex((r) => r.sentOn === conn && kinds.includes(r.kind));
    return i < 0 ? null : this.#requests.splice(i, 1)[0];
  }

  // ---- closing ----

  close() {
    this.#finish(null, 1000, "client closed");
  }

  // ---- the socket ----

  #isLive() {
    return this.#state === "connected" && this.#conn !== null && this.#conn.joined;
  }

  #start() {
    this.#retryTimer = null;
    this.#open().catch((error) => this.#emit("error", error));
  }

  async #open() {
    if (this.#state === "closed") return;
    if (this.#refreshToken && this.#token && (this.#tokenStale || expiresWithin(this.#token, TOKEN_MARGIN_MS))) {
      try {
        await this.#renewToken();
      } catch (error) {
        if (this.#state === "closed") return;
        this.#emit("error", error);
        this.#retry(null, null, error);
        return;
      }
      if (this.#state === "closed") return;
    }
    let ws;
    try {
      ws = new this.#WebSocket(this.#url);
    } catch (cause) {
      // A bad URL, or ws:// from an https:// page: no later try would do better.
      this.#finish(new RoomkeyError("connection_lost", `Could not open a WebSocket to ${this.#url}: ${cause?.message ?? cause}`, { cause }), null, "no websocket");
      return;
    }
    const conn = { ws, opened: false, since: false, joined: false, memberId: null, outcome: null, timer: null, lastError: null, rateLimited: 0 };
    this.#conn = conn;
    conn.timer = setTimeout(() => {
      conn.outcome ??= { retry: true, error: new RoomkeyError("timeout", `No "joined" within ${this.#connectTimeout} ms of opening the connection.`) };
      this.#drop(conn, null, "timeout");
    }, this.#connectTimeout);
    ws.onopen = () => {
      conn.opened = true;
      if (this.#conn === conn) this.#write(conn, this.#initFrame(conn));
    };
    ws.onmessage = (event) => {
      if (this.#conn === conn) this.#receive(conn, event.data);
    };
    ws.onclose = (event) => this.#drop(conn, event.code, event.reason);
    // Once open, a close event with its code follows an error. Before, Node
    // 20's WebSocket fires the error alone, so a failed handshake ends here.
    ws.onerror = () => {
      if (!conn.opened) this.#drop(conn, 1006, "connection failed");
    };
  }

  #initFrame(conn) {
    const init = { type: "init", v: 2 };
    if (this.#person !== undefined) init.person = this.#person;
    if (this.#token !== undefined) init.token = this.#token;
    if (this.#key !== null) init.join = this.#key;
    if (this.#key !== null && this.#epoch !== null) {
      init.since = { epoch: this.#epoch, offset: this.#offset };
      conn.since = true;
    }
    return init;
  }

  #write(conn, frame) {
    this.#writeText(conn, JSON.stringify(frame));
  }

  #writeText(conn, text) {
    try {
      conn.ws.send(text);
    } catch {
      // The socket is closing: its close event settles what was sent.
    }
  }

  // The socket `conn` is gone (closed, failed, timed out, or given up on):
  // reconnect, or close for good.
  #drop(conn, code, reason) {
    if (conn !== this.#conn) return;
    this.#conn = null;
    retire(conn);
    this.#stopRefresh();
    // Requests sent on this socket are sent again on the next; a refresh in
    // flight is forgotten (the next "joined" plans the next one).
    this.#requests = this.#requests.filter((r) => r.kind !== "refresh");
    for (const r of this.#requests) r.sentOn = null;
    if (this.#state === "closed") return;
    let { retry, error } = conn.outcome ?? {};
    if (retry === undefined) {
      if (code === 1008 && conn.lastError?.code === "rate_limited") {
        retry = false;
        error = conn.lastError;
      } else {
        retry = RETRY_CLOSE_CODES.has(code) || code === 1008;
      }
    }
    error ??= new RoomkeyError("connection_lost", `The connection closed (${code ?? "no code"}${reason ? `: ${reason}` : ""}).`);
    if (retry) this.#retry(code, reason, error);
    else this.#finish(error, code, reason);
  }

  #retry(code, reason, error) {
    const r = this.#reconnect;
    if (!r || this.#attempt >= r.maxAttempts) {
      const why = !r ? "reconnecting is off" : `gave up after ${this.#attempt} attempts`;
      this.#finish(new RoomkeyError(error.code, `${error.message} (${why})`, { id: error.id, cause: error }), code, reason);
      return;
    }
    this.#attempt += 1;
    const base = Math.min(r.maxDelay, r.initialDelay * r.factor ** (this.#attempt - 1));
    const delay = Math.max(0, Math.round(base * (1 - r.jitter * Math.random())));
    // The timer first: a listener may close the client, which clears it.
    this.#retryTimer = setTimeout(() => this.#start(), delay);
    this.#setState("reconnecting", { attempt: this.#attempt, delay, code, reason });
  }

  // For good: no more reconnects, and everything pending is rejected.
  #finish(error, code, reason) {
    if (this.#state === "closed") return;
    const conn = this.#conn;
    this.#conn = null;
    if (conn) retire(conn);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#stopRefresh();
    const why = error ? error.message : "close() was called.";
    if (this.#entering) {
      this.#entering.reject(error ?? this.#closedError(why));
      this.#entering = null;
    }
    for (const rec of this.#inflight.values()) {
      rec.reject(new RoomkeyError("closed", `The client closed before this publication was acknowledged; it may or may not have been delivered. ${why}`, { id: rec.id, cause: error ?? undefined }));
    }
    this.#inflight.clear();
    for (const rec of this.#queue.splice(0)) rec.reject(this.#closedError(`This publication was never sent. ${why}`, error, rec.id));
    for (const req of this.#requests.splice(0)) if (req.kind !== "refresh") req.reject(this.#closedError(why, error));
    this.#setState("closed", { code, reason });
    this.#emit("closed", { code, reason, error });
  }

  #closedError(message, cause, id) {
    return new RoomkeyError("closed", message, { id, cause: cause ?? undefined });
  }

  #setState(state, { attempt = this.#attempt, delay = 0, code = null, reason = null } = {}) {
    this.#state = state;
    this.#emit("connection", { state, attempt, delay, code, reason });
  }

  // ---- what the server sends ----

  #receive(conn, text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      this.#emit("error", new RoomkeyError("invalid_json", "The server sent a frame that is not JSON."));
      return;
    }
    if (msg === null || typeof msg !== "object") return;
    if (!conn.joined) {
      if (msg.type === "joined") this.#joined(conn, msg);
      else if (msg.type === "error") this.#initError(conn, msg);
      return;
    }
    switch (msg.type) {
      case "Location Data":
      case "message":
      case "state":
        if (msg.offset > this.#offset || typeof msg.offset !== "number") {
          if (typeof msg.offset === "number") this.#offset = msg.offset;
          this.#remember(msg);
          this.#deliver(msg);
        }
        break;
      case "ack":
        this.#ack(conn, msg);
        break;
      case "presence":
        if (Array.isArray(msg.members)) this.#takeRequest(conn, "presence")?.resolve(msg.members);
        else this.#presence(msg);
        break;
      case "history":
        this.#takeRequest(conn, "history")?.resolve({ epoch: msg.epoch, offset: msg.offset, publications: msg.publications });
        break;
      case "refreshed":
        this.#refreshed(conn, msg);
        break;
      case "reset":
        this.#epoch = msg.epoch;
        this.#offset = msg.offset;
        this.#lastKnown = Array.isArray(msg.state) ? msg.state.slice() : [];
        this.#emit("reset", { epoch: msg.epoch, offset: msg.offset, state: this.#lastKnown.slice(), cause: "server" });
        break;
      case "destroyed":
        this.#takeRequest(conn, "destroy")?.resolve();
        this.#emit("destroyed", { join: msg.join });
        this.#finish(new RoomkeyError("destroyed", "The room was destroyed."), 1000, "destroyed");
        break;
      case "error":
        this.#roomError(conn, msg);
        break;
      default:
        break;  // a type this client does not know yet
    }
  }

  #initError(conn, msg) {
    const error = new RoomkeyError(msg.code, msg.message);
    // A resume may find the room full of our own old membership, which the
    // server has not yet noticed is gone: it will, so try again.
    const resuming = msg.code === "room_full" && this.#epoch !== null;
    if (RETRY_INIT_CODES.has(msg.code) || resuming) {
      conn.outcome = { retry: true, error };
      this.#drop(conn, null, msg.code);  // the server keeps the socket; a fresh one is simpler
    } else if (msg.code === "token_expired" && this.#refreshToken) {
      this.#tokenStale = true;
      conn.outcome = { retry: true, error };
      this.#drop(conn, null, msg.code);
    } else {
      if (msg.code === "not_found") {
        // A destroy sent before the drop whose answer was lost: the room is gone, so it worked.
        for (const req of this.#requests) if (req.kind === "destroy" && req.everSent) req.resolve();
      }
      conn.outcome = { retry: false, error };  // final; the server closes the socket now
    }
  }

  #joined(conn, msg) {
    clearTimeout(conn.timer);
    conn.joined = true;
    conn.memberId = msg.you?.id ?? null;
    const oldMemberId = this.#me?.id;
    const resumed = conn.since;
    const recovered = resumed ? msg.recovered === true : null;
    this.#attempt = 0;
    this.#tokenStale = false;
    this.#key = msg.join;
    this.#me = msg.you;
    this.#owner = msg.owner === true;
    this.#members = Array.isArray(msg.members) ? msg.members.slice() : [];
    const state = Array.isArray(msg.state) ? msg.state : [];
    this.#lastKnown = state.slice();
    let delivered = [];
    if (recovered) {
      delivered = this.#recover(msg, oldMemberId);
    } else {
      this.#epoch = msg.epoch;
      this.#offset = msg.offset;
      for (const rec of this.#inflight.values()) {
        rec.reject(new RoomkeyError("unconfirmed", "The connection dropped before this publication was acknowledged and the resume could not tell whether the server got it: it may or may not have been delivered.", { id: rec.id }));
      }
      this.#inflight.clear();
    }
    this.#state = "connected";
    // Sends before events: a listener that publishes must come after what waited.
    for (const rec of [...this.#inflight.values()]) this.#transmit(rec);
    for (const rec of this.#queue.splice(0)) this.#transmit(rec);
    for (const req of this.#requests) if (req.sentOn === null && req.kind !== "refresh") this.#sendRequest(req);
    this.#planRefresh();

    const info = { join: msg.join, created: msg.created === true, owner: this.#owner, you: msg.you,
      members: this.members, epoch: msg.epoch, offset: msg.offset, state: state.slice(),
      resumed, recovered, missed: Array.isArray(msg.missed) ? msg.missed : [] };
    if (this.#entering) {
      this.#entering.resolve(info);
      this.#entering = null;
    }
    const still = () => this.#conn === conn;
    this.#setState("connected");
    if (still()) this.#emit("members", this.members);
    if (still()) this.#emit("joined", info);
    if (resumed) {
      for (const pub of delivered) if (still()) this.#deliver(pub);
      if (!recovered && still()) this.#emit("reset", { epoch: msg.epoch, offset: msg.offset, state: state.slice(), cause: "resume" });
      if (still()) this.#emit("resumed", { recovered, missed: delivered });
    }
  }

  // A resume with recovered:true. Publications of the old membership settle
  // the promises of what was sent but not acked (in send order); the rest is
  // sent again. Returns the others' publications to deliver.
  #recover(msg, oldMemberId) {
    const delivered = [];
    for (const pub of Array.isArray(msg.missed) ? msg.missed : []) {
      if (!(pub.offset > this.#offset)) continue;
      this.#offset = pub.offset;
      if (oldMemberId !== undefined && pub.from === oldMemberId) {
        this.#settleOwn(pub, oldMemberId);
      } else {
        delivered.push(pub);
      }
    }
    if (msg.offset > this.#offset) this.#offset = msg.offset;
    return delivered;
  }

  #settleOwn(pub, memberId) {
    for (const rec of this.#inflight.values()) {
      if (rec.memberId === memberId && samePublication(rec, pub)) {
        this.#inflight.delete(rec.id);
        rec.resolve(pub.offset);
        return;
      }
    }
  }

  #ack(conn, msg) {
    const rec = this.#inflight.get(msg.id);
    if (!rec) return;
    // A socket's acks come in send order, so publications sent before this
    // one on the same socket and still waiting were dropped by the rate
    // limit (whose error names no id).
    for (const earlier of this.#inflight.values()) {
      if (earlier === rec || conn.rateLimited === 0) break;
      if (earlier.conn !== conn) continue;
      this.#inflight.delete(earlier.id);
      conn.rateLimited -= 1;
      earlier.reject(new RoomkeyError("rate_limited", "The server dropped this publication: too many messages per second.", { id: earlier.id }));
    }
    this.#inflight.delete(msg.id);
    if (msg.offset > this.#offset) this.#offset = msg.offset;
    rec.resolve(msg.offset);
  }

  #roomError(conn, msg) {
    const error = new RoomkeyError(msg.code, msg.message, { id: msg.id });
    if (msg.code === "token_expired") this.#tokenStale = true;
    if (msg.id !== undefined && this.#inflight.has(msg.id)) {
      const rec = this.#inflight.get(msg.id);
      this.#inflight.delete(msg.id);
      rec.reject(error);
      return;
    }
    let req = null;
    switch (msg.code) {
      case "invalid_history":
        req = this.#takeRequest(conn, "history");
        break;
      case "not_your_room":
      case "invalid_destroy":
      case "store_unavailable":
        req = this.#takeRequest(conn, "destroy");
        break;
      case "forbidden":
        req = this.#takeRequest(conn, "destroy", "refresh");
        break;
      case "unauthorized":
      case "invalid_refresh":
      case "token_expired":
        req = this.#takeRequest(conn, "refresh");
        break;
      case "kicked":
        conn.outcome = { retry: false, error };
        return;
      default:
        break;
    }
    if (req?.kind === "refresh") {
      this.#emit("error", error);
      this.#planRefresh(true);
    } else if (req) {
      req.reject(error);
    } else if (msg.code === "token_expired") {
      // The token in force expired: the server closes the socket now.
      conn.outcome = { retry: Boolean(this.#refreshToken), error };
    } else {
      if (msg.code === "rate_limited") conn.rateLimited += 1;
      conn.lastError = error;
      this.#emit("error", error);
    }
  }

  #presence(msg) {
    const member = msg.member;
    if (!member) return;
    if (msg.event === "join") {
      if (!this.#members.some((m) => m.id === member.id)) this.#members.push(member);
    } else if (msg.event === "leave") {
      this.#members = this.#members.filter((m) => m.id !== member.id);
    }
    this.#emit("presence", { event: msg.event, member, reason: msg.reason });
    this.#emit("members", this.members);
  }

  #deliver(pub) {
    this.#emit("publication", pub);
    const name = EVENT_OF_TYPE[pub.type];
    if (name) this.#emit(name, pub);
  }

  // Keeps the latest Location Data and state per person (a resume's missed
  // publications need none of this: its "joined" state is newer).
  #remember(pub) {
    if (pub.type !== "Location Data" && pub.type !== "state") return;
    const i = this.#lastKnown.findIndex((e) => e.person === pub.person && e.type === pub.type);
    if (i >= 0) this.#lastKnown.splice(i, 1);
    this.#lastKnown.push(pub);
  }

  // ---- token refresh ----

  // Plans the next refresh of the token in force: at 80% of its remaining
  // life, at least 10 s before exp, but not before half of it (so that short
  // tokens do not refresh in a loop). After a failure, sooner.
  #planRefresh(afterFailure = false) {
    this.#stopRefresh();
    if (!this.#refreshToken || !this.#token || !this.#isLive()) return;
    const exp = tokenExpiry(this.#token);
    if (exp === null) return;
    const left = exp - Date.now();
    let delay;
    if (afterFailure) {
      if (left <= TOKEN_MARGIN_MS) return;  // it expires; the reconnect refreshes it
      delay = Math.min(5000, left / 2);
    } else {
      // A device clock running ahead makes `left` look small or negative: a
      // floor keeps that from turning into a refresh loop.
      delay = Math.max(Math.min(0.8 * left, left - 10000), 0.5 * left, MIN_REFRESH_DELAY_MS);
    }
    this.#refreshTimer = setTimeout(() => this.#refreshNow().catch((error) => this.#emit("error", error)), delay);
  }

  #stopRefresh() {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
  }

  async #refreshNow() {
    this.#refreshTimer = null;
    const conn = this.#conn;
    let token;
    try {
      token = await this.#callRefreshToken();
    } catch (error) {
      if (this.#conn !== conn || this.#state === "closed") return;
      this.#emit("error", error);
      this.#planRefresh(true);
      return;
    }
    if (this.#state === "closed") return;
    if (this.#conn !== conn || !this.#isLive()) {
      this.#token = token;  // not connected now: the next init sends it
      return;
    }
    this.#requests.push({ kind: "refresh", frame: { type: "refresh", token }, token, sentOn: conn, resolve() {}, reject() {} });
    this.#write(conn, { type: "refresh", token });
  }

  #refreshed(conn, msg) {
    const req = this.#takeRequest(conn, "refresh");
    if (!req) return;
    this.#token = req.token;
    this.#planRefresh();
  }

  async #renewToken() {
    this.#token = await this.#callRefreshToken();
    this.#tokenStale = false;
  }

  async #callRefreshToken() {
    let token;
    try {
      token = await this.#refreshToken();
    } catch (cause) {
      throw new RoomkeyError("refresh_failed", `options.refreshToken failed: ${cause?.message ?? cause}`, { cause });
    }
    if (typeof token !== "string" || token === "") throw new RoomkeyError("refresh_failed", "options.refreshToken must resolve to a token (a non-empty string).");
    return token;
  }
}

// ---- helpers ----

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

// Forgets a socket: no more events from it, and it is closed.
function retire(conn) {
  clearTimeout(conn.timer);
  const ws = conn.ws;
  ws.onopen = ws.onmessage = ws.onclose = null;
  ws.onerror = () => {};
  try {
    if (ws.readyState === 0 || ws.readyState === 1) ws.close(1000);
  } catch {
    // already closing
  }
}

function samePublication(rec, pub) {
  if (rec.frame.type !== pub.type) return false;
  if (pub.type === "Location Data") return rec.frame.latitude === pub.latitude && rec.frame.longitude === pub.longitude;
  return rec.text === JSON.stringify(pub.data);
}

// A JWT's exp in Unix ms, or null if it has none (the token stays opaque otherwise).
function tokenExpiry(token) {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(b64 + "===".slice((b64.length + 3) % 4));
    const payload = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    return Number.isFinite(payload?.exp) ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

function expiresWithin(token, ms) {
  const exp = tokenExpiry(token);
  return exp !== null && exp - Date.now() <= ms;
}
