// The page at /: create or join a room, see who is in it and where they were
// last seen, chat, and watch the connection come and go. It speaks protocol
// v2 through the JavaScript client (/roomkey.js, clients/js/) and draws
// everything itself: no map tiles, no CDN, nothing fetched from elsewhere.
import { RoomkeyClient } from "./roomkey.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const SESSION_KEY = "roomkey.session";  // per tab: what a reload needs to resume
const NAME_KEY = "roomkey.name";        // remembered, so opening a link joins at once
const CHAT_KEPT = 200;                   // chat lines a tab keeps across a reload

const link = new URLSearchParams(location.hash.slice(1));
const linkKey = link.get("join");
const linkToken = link.get("token");

let client = null;
let me = { person: "", position: null };
const chat = new Map();      // "epoch:offset" (or "pending:N", "system:N") -> entry, shown by time
let chatSeq = 0;             // ties in time keep the order entries arrived in
const departed = new Map();  // person -> time they were last seen leaving (ms)
let simulation = null;
let geolocation = null;
let destroyArmed = null;
let destroyed = false;

// ---- connection state -----------------------------------------------------

const STATE_TEXT = {
  idle: "not connected",
  connecting: "connecting…",
  connected: "connected",
  reconnecting: "reconnecting…",
  resumed: "resumed: nothing missed",
  reset: "reset: started over",
  closed: "closed",
};

function showState(state, detail = "") {
  const badge = $("connection");
  badge.dataset.state = state;
  badge.textContent = STATE_TEXT[state] + (detail ? ` ${detail}` : "");
}

function notify(text) {
  const notice = $("notice");
  notice.textContent = text;
  notice.hidden = !text;
}

// ---- entering a room ------------------------------------------------------

function serverUrl() {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/`;
}

function saveSession() {
  if (!client || !client.key || client.state === "closed") return;
  const lines = [...chat.entries()].filter(([key, entry]) => entry.epoch && !key.startsWith("pending:")).slice(-CHAT_KEPT);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({
    key: client.key, person: me.person, epoch: client.epoch, offset: client.offset, chat: lines,
  }));
}

function newClient(person) {
  const options = { person };
  if (linkToken) options.token = linkToken;
  const created = new RoomkeyClient(serverUrl(), options);
  created.on("connection", onConnection);
  created.on("joined", onJoined);
  created.on("reset", onReset);
  created.on("publication", onPublication);
  created.on("presence", onPresence);
  created.on("members", renderPeople);
  created.on("error", (error) => notify(`${error.code}: ${error.message}`));
  created.on("destroyed", () => { destroyed = true; });
  created.on("closed", onClosed);
  return created;
}

async function enter(person, key, since, savedChat = []) {
  for (const [chatKey, entry] of savedChat) chat.set(chatKey, { ...entry, seq: chatSeq++ });
  me = { person, position: null };
  if (!linkToken) localStorage.setItem(NAME_KEY, person);
  client = newClient(person);
  setStartBusy(true);
  try {
    const info = key ? await client.join(key, since ? { since } : {}) : await client.create();
    history.replaceState(null, "", `#join=${encodeURIComponent(info.join)}${linkToken ? `&token=${encodeURIComponent(linkToken)}` : ""}`);
    showRoom(info);
    await loadRecentChat();
  } catch (error) {
    client.close();
    client = null;
    sessionStorage.removeItem(SESSION_KEY);
    showState("closed");
    notify(explain(error));
    setStartBusy(false);
  }
}

function explain(error) {
  const code = error && error.code;
  if (code === "not_found") {
    $("create").hidden = false;  // the link is dead: offer a room of one's own
    return "This room does not exist, or it was destroyed. Create a new one.";
  }
  if (code === "room_full") return "This room is full.";
  if (code === "unauthorized" || code === "token_expired" || code === "forbidden")
    return `${error.message} (this server needs a token: open a link with #token=…)`;
  return error && error.message ? error.message : String(error);
}

function setStartBusy(busy) {
  $("create").disabled = busy;
  $("join").disabled = busy;
}

function showRoom(info) {
  me.person = info.you.person;  // with token auth, the token's name, whatever was typed
  destroyed = false;
  for (const control of document.querySelectorAll("#room input, #room button")) control.disabled = false;
  $("leave").textContent = "Leave";
  $("start").hidden = true;
  $("room").hidden = false;
  notify("");
  $("share-link").value = `${location.origin}/#join=${info.join}`;
  $("destroy").hidden = !info.owner;
  saveSession();
  renderPeople();
  renderPlot();
  renderChat();  // what a reloaded tab kept
}

async function loadRecentChat() {
  try {
    // All the room holds (--history-size): chat lines may be few among many positions.
    const { publications } = await client.history();
    for (const publication of publications) {
      if (publication.type === "message") addPublicationToChat(publication, client.epoch);
    }
  } catch (error) {
    if (error.code !== "closed") notify(`history: ${error.message}`);
  }
}

// ---- events from the client -----------------------------------------------

function onConnection({ state, attempt, delay }) {
  if (state === "reconnecting") {
    const when = delay ? ` in ${Math.ceil(delay / 1000)} s` : "";
    showState("reconnecting", attempt ? `(attempt ${attempt}${when})` : "");
  } else if (state === "connecting" || state === "closed") {
    showState(state);
  }
  // "connected" waits for "joined", which tells whether it was a resume.
}

function onJoined(info) {
  if (info.recovered === true) showState("resumed");
  else if (info.recovered === false) showState("reset");
  else showState("connected");
  $("destroy").hidden = !info.owner;
  saveSession();
  renderPeople();
  renderPlot();
}

function onReset() {
  showState("reset");
  addSystemLine("the connection started over: some messages may be missing");
  saveSession();
  renderPlot();
}

function onPublication(publication) {
  if (publication.type === "message") addPublicationToChat(publication, client.epoch);
  else if (publication.type === "Location Data") renderPlot();
  saveSession();
}

function onPresence({ event, member, reason }) {
  if (event === "leave") {
    departed.set(member.person, Date.now());
    addSystemLine(`${member.person} left${reason && reason !== "closed" ? ` (${reason})` : ""}`);
  } else {
    addSystemLine(`${member.person} joined`);
  }
  renderPeople();
  renderPlot();
}

function onClosed({ error }) {
  stopSimulation();
  stopGeolocation();
  sessionStorage.removeItem(SESSION_KEY);
  showState("closed");
  if (destroyed) notify("The room was destroyed.");
  else notify(error ? explain(error) : "Disconnected.");
  for (const control of document.querySelectorAll("#room input, #room button")) {
    if (control.id !== "share-link" && control.id !== "leave") control.disabled = true;
  }
  $("leave").textContent = "Start again";
}

// ---- chat -----------------------------------------------------------------

function addPublicationToChat(publication, epoch) {
  const key = `${epoch}:${publication.offset}`;
  if (chat.has(key)) return;
  chat.set(key, {
    epoch, at: publication.at, seq: chatSeq++,
    who: publication.person, text: messageText(publication.data),
  });
  renderChat();
}

function addSystemLine(text) {
  chat.set(`system:${chatSeq}`, { system: true, text, at: Date.now(), seq: chatSeq++ });
  renderChat();
}

function messageText(data) {
  if (data && typeof data === "object" && typeof data.text === "string") return data.text;
  return typeof data === "string" ? data : JSON.stringify(data);
}

let pendingCount = 0;
async function sendChat(text) {
  const key = `pending:${pendingCount++}`;
  const at = Date.now();
  chat.set(key, { who: me.person, text, pending: true, at, seq: chatSeq++ });
  renderChat();
  try {
    const offset = await client.send({ text });
    const sent = chat.get(key);
    chat.delete(key);
    chat.set(`${client.epoch}:${offset}`, { ...sent, pending: false, epoch: client.epoch });
    saveSession();
  } catch (error) {
    chat.get(key).failed = error.message;
    chat.get(key).pending = false;
  }
  renderChat();
}

function renderChat() {
  const list = $("chat");
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  list.replaceChildren();
  for (const entry of chatInOrder()) {
    const item = document.createElement("li");
    if (entry.system) {
      item.className = "system";
      item.textContent = entry.text;
    } else {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = entry.who;
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = entry.text;
      item.append(who, text);
      item.dataset.person = entry.who;
      if (entry.pending) item.classList.add("pending");
      if (entry.failed) {
        const failed = document.createElement("span");
        failed.className = "failed";
        failed.textContent = ` (not sent: ${entry.failed})`;
        item.append(failed);
      }
    }
    list.append(item);
  }
  if (stick) list.scrollTop = list.scrollHeight;
}

// By time (the server's for publications, this browser's for the rest),
// then by arrival: one total order, whatever mix of history, live and own.
function chatInOrder() {
  return [...chat.values()].sort((x, y) => x.at - y.at || x.seq - y.seq);
}

// ---- people ---------------------------------------------------------------

function lastKnownPositions() {
  const positions = new Map();  // person -> {latitude, longitude, at}
  for (const publication of client ? client.lastKnown : []) {
    if (publication.type !== "Location Data") continue;
    const seen = positions.get(publication.person);
    if (!seen || seen.at <= publication.at)
      positions.set(publication.person, { latitude: +publication.latitude, longitude: +publication.longitude, at: publication.at });
  }
  if (me.position) positions.set(me.person, me.position);
  return positions;
}

function onlinePeople() {
  const online = new Map();  // person -> devices
  for (const member of client ? client.members : []) online.set(member.person, (online.get(member.person) || 0) + 1);
  return online;
}

function renderPeople() {
  const list = $("members");
  const online = onlinePeople();
  const positions = lastKnownPositions();
  const everyone = new Set([...online.keys(), ...departed.keys(), ...positions.keys()]);
  list.replaceChildren();
  for (const person of [...everyone].sort((a, b) => (online.has(b) - online.has(a)) || a.localeCompare(b))) {
    const item = document.createElement("li");
    item.dataset.person = person;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = person;
    const seen = document.createElement("span");
    seen.className = "seen";
    if (online.has(person)) {
      item.classList.add("online");
      const devices = online.get(person);
      seen.textContent = devices > 1 ? `online (${devices} devices)` : "online";
    } else {
      const when = Math.max(departed.get(person) || 0, positions.get(person)?.at || 0);
      seen.textContent = when ? `last seen ${timeText(when)}` : "left";
    }
    if (person === me.person) item.classList.add("me");
    item.append(who, seen);
    list.append(item);
  }
}

function timeText(ms) {
  const date = new Date(ms);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

// ---- the plot -------------------------------------------------------------

// Everyone's last known position, scaled to fill the box: x is longitude
// shrunk by the cosine of the mean latitude, so distances look right nearby.
function renderPlot() {
  const plot = $("plot");
  const positions = lastKnownPositions();
  const online = onlinePeople();
  plot.replaceChildren();
  if (positions.size === 0) {
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", "200");
    text.setAttribute("y", "150");
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("class", "empty");
    text.textContent = "No positions yet: share yours, or simulate a walk.";
    plot.append(text);
    return;
  }
  const points = [...positions].map(([person, p]) => ({ person, ...p }));
  const meanLatitude = points.reduce((sum, p) => sum + p.latitude, 0) / points.length;
  const squeeze = Math.max(Math.cos((meanLatitude * Math.PI) / 180), 0.01);
  const xs = points.map((p) => p.longitude * squeeze);
  const ys = points.map((p) => p.latitude);
  const [width, height, margin] = [400, 300, 40];
  const spanX = Math.max(...xs) - Math.min(...xs);
  const spanY = Math.max(...ys) - Math.min(...ys);
  const span = Math.max(spanX / (width - 2 * margin), spanY / (height - 2 * margin), 1e-9);
  const centerX = (Math.max(...xs) + Math.min(...xs)) / 2;
  const centerY = (Math.max(...ys) + Math.min(...ys)) / 2;
  drawScale(plot, span, height);
  points.forEach((point, index) => {
    const x = width / 2 + (xs[index] - centerX) / span;
    const y = height / 2 - (ys[index] - centerY) / span;
    const group = document.createElementNS(SVG, "g");
    group.setAttribute("class", online.has(point.person) || point.person === me.person ? "point" : "point gone");
    group.dataset.person = point.person;
    group.dataset.latitude = String(point.latitude);
    group.dataset.longitude = String(point.longitude);
    const circle = document.createElementNS(SVG, "circle");
    circle.setAttribute("cx", x.toFixed(1));
    circle.setAttribute("cy", y.toFixed(1));
    circle.setAttribute("r", "7");
    circle.setAttribute("fill", colorOf(point.person));
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", (x + 10).toFixed(1));
    label.setAttribute("y", (y + 4).toFixed(1));
    if (x > width - 90) {
      label.setAttribute("x", (x - 10).toFixed(1));
      label.setAttribute("text-anchor", "end");
    }
    label.textContent = point.person;
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${point.person}: ${point.latitude.toFixed(5)}, ${point.longitude.toFixed(5)} (${timeText(point.at)})`;
    group.append(circle, label, title);
    plot.append(group);
  });
}

// A bar of a round length (10 m, 20 m, 50 m, ... 5000 km) about 80 units
// long, so the plot says how far apart people are.
function drawScale(plot, degreesPerUnit, height) {
  const metresPerUnit = degreesPerUnit * 111_320;
  if (!(metresPerUnit > 0)) return;
  const lengths = [1, 2, 5].flatMap((d) => [1, 10, 100, 1000, 10_000, 100_000, 1_000_000].map((m) => d * m));
  const metres = lengths.sort((a, b) => a - b).find((m) => m / metresPerUnit >= 60) || lengths[lengths.length - 1];
  const units = metres / metresPerUnit;
  if (units > 200) return;  // everyone at one spot: nothing to measure
  const bar = document.createElementNS(SVG, "g");
  bar.setAttribute("class", "scale");
  const line = document.createElementNS(SVG, "path");
  const [x, y] = [12, height - 12];
  line.setAttribute("d", `M${x} ${y - 4}V${y}H${(x + units).toFixed(1)}V${y - 4}`);
  const label = document.createElementNS(SVG, "text");
  label.setAttribute("x", String(x));
  label.setAttribute("y", String(y - 7));
  label.textContent = metres >= 1000 ? `${metres / 1000} km` : `${metres} m`;
  bar.append(line, label);
  plot.append(bar);
}

function colorOf(person) {
  let hash = 0;
  for (const char of person) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360} 65% 45%)`;
}

// ---- location: the browser's, or a simulated walk ---------------------------

function publishPosition(latitude, longitude) {
  me.position = { latitude, longitude, at: Date.now() };
  renderPlot();
  renderPeople();
  client.sendLocation(latitude, longitude).catch((error) => {
    if (error.code !== "closed") notify(`location not sent: ${error.message}`);
  });
}

function startSimulation() {
  // A loop of a few hundred metres around a random spot near a city centre.
  const origin = { latitude: 48.8566 + (Math.random() - 0.5) * 0.01, longitude: 2.3522 + (Math.random() - 0.5) * 0.01 };
  let angle = Math.random() * 2 * Math.PI;
  const step = () => {
    angle += 0.3;
    publishPosition(origin.latitude + 0.002 * Math.sin(angle), origin.longitude + 0.003 * Math.cos(angle));
  };
  step();
  simulation = setInterval(step, 1000);
}

function stopSimulation() {
  clearInterval(simulation);
  simulation = null;
  $("simulate").checked = false;
}

function startGeolocation() {
  if (!("geolocation" in navigator)) {
    notify("This browser cannot tell its location; try 'Simulate a walk'.");
    $("share-location").checked = false;
    return;
  }
  geolocation = navigator.geolocation.watchPosition(
    (position) => publishPosition(position.coords.latitude, position.coords.longitude),
    (error) => {
      notify(`Location unavailable: ${error.message}${window.isSecureContext ? "" : " (browsers give it only to https:// pages or localhost)"}`);
      stopGeolocation();
    },
    { enableHighAccuracy: true, maximumAge: 5000 });
}

function stopGeolocation() {
  if (geolocation !== null) navigator.geolocation.clearWatch(geolocation);
  geolocation = null;
  $("share-location").checked = false;
}

// ---- wiring ---------------------------------------------------------------

function wire() {
  $("start-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const person = $("name").value.trim();
    if (!person) return notify("Enter a name first.");
    // The dead-link page also offers "Create a room" (see explain()).
    enter(person, event.submitter && event.submitter.id === "create" ? null : linkKey);
  });
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("chat-input").value.trim();
    if (!text || !client) return;
    $("chat-input").value = "";
    sendChat(text);
  });
  $("copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("share-link").value);
      $("copy-link").textContent = "Copied";
    } catch {
      $("share-link").select();
    }
  });
  $("simulate").addEventListener("change", (event) => {
    if (event.target.checked) {
      stopGeolocation();
      startSimulation();
    } else {
      stopSimulation();
    }
  });
  $("share-location").addEventListener("change", (event) => {
    if (event.target.checked) {
      stopSimulation();
      startGeolocation();
    } else {
      stopGeolocation();
    }
  });
  $("destroy").addEventListener("click", () => {
    // Two clicks, so a slip of the finger on a phone destroys nothing.
    if (!destroyArmed) {
      $("destroy").textContent = "Click again to destroy it for everyone";
      destroyArmed = setTimeout(() => {
        destroyArmed = null;
        $("destroy").textContent = "Destroy the room";
      }, 5000);
      return;
    }
    clearTimeout(destroyArmed);
    destroyArmed = null;
    client.destroy().catch((error) => notify(`not destroyed: ${error.message}`));
  });
  $("leave").addEventListener("click", () => {
    sessionStorage.removeItem(SESSION_KEY);
    if (client) client.close();
    location.href = "/";
  });
  window.addEventListener("pagehide", saveSession);
  // A link pasted into this tab's address bar is a new room to enter.
  window.addEventListener("hashchange", () => location.reload());
}

// With token auth the server names members from the token, so the page
// shows that name instead of asking for one. (Only shown: the server checks
// the token.)
function nameInToken(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
    return typeof claims.name === "string" ? claims.name : typeof claims.sub === "string" ? claims.sub : "";
  } catch {
    return "";
  }
}

function start() {
  wire();
  const remembered = (linkToken && nameInToken(linkToken)) || localStorage.getItem(NAME_KEY) || "";
  $("name").value = remembered;
  $("name").readOnly = Boolean(linkToken && nameInToken(linkToken));
  if (!linkKey) return;
  $("create").hidden = true;
  $("join").hidden = false;
  $("start-title").textContent = "You were invited to a room";
  $("start-text").textContent = "Enter your name to join it. Everyone in the room will see your name and the positions you share.";
  const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  if (saved && saved.key === linkKey && saved.person) {
    // A reload: pick up where this tab left off, missing nothing if the server still holds it.
    const since = saved.epoch ? { epoch: saved.epoch, offset: saved.offset || 0 } : undefined;
    enter(saved.person, linkKey, since, Array.isArray(saved.chat) ? saved.chat : []);
  } else if (remembered) {
    enter(remembered, linkKey);
  }
}

start();
