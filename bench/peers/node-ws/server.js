// A minimal protocol-v1 room server on Node's `ws` package: the peer that
// docs/performance.md compares roomkey with. Rooms are kept in memory only.
'use strict';
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 8001);
const rooms = new Map(); // key -> Set of sockets

const wss = new WebSocketServer({ port, perMessageDeflate: false, maxPayload: 1 << 20 });

function send(ws, obj) {
  ws.send(JSON.stringify(obj));
}

function broadcast(key, text, except) {
  const members = rooms.get(key);
  if (!members) return;
  for (const member of members) if (member !== except) member.send(text);
}

wss.on('connection', (ws) => {
  let key = null;
  let person = null;
  ws.on('message', (data, isBinary) => {
    let msg = null;
    if (!isBinary) {
      try { msg = JSON.parse(data); } catch (e) { msg = null; }
    }
    if (key === null) {
      if (!msg || msg.type !== 'init' || typeof msg.person !== 'string') {
        send(ws, { type: 'error', message: 'Invalid message format.' });
        return ws.close();
      }
      person = msg.person;
      if (msg.join === undefined) {
        key = crypto.randomBytes(16).toString('base64url');
        rooms.set(key, new Set([ws]));
        return send(ws, { type: 'init', join: key });
      }
      if (!rooms.has(msg.join)) {
        send(ws, { type: 'error', message: 'Join Key Not Found!' });
        return ws.close();
      }
      key = msg.join;
      broadcast(key, JSON.stringify({ type: 'connection_message', message: `${person} Joined!` }), ws);
      rooms.get(key).add(ws);
      return;
    }
    if (!msg) return send(ws, { type: 'error', message: 'Invalid JSON.' });
    if (msg.type === 'Location Data') {
      broadcast(key, JSON.stringify({ type: 'Location Data', person, latitude: msg.latitude, longitude: msg.longitude }), ws);
    } else if (msg.type === 'message') {
      broadcast(key, JSON.stringify({ type: 'message', person, data: msg.data }), ws);
    } else if (msg.type === 'destroy' && msg.join === key) {
      const text = JSON.stringify({ type: 'connection_message', message: `${key} Session Destroyed!` });
      const members = rooms.get(key) || new Set();
      rooms.delete(key);
      for (const member of members) { member.send(text); member.close(); }
    }
  });
  ws.on('close', () => {
    if (key === null || !rooms.has(key)) return;
    const members = rooms.get(key);
    members.delete(ws);
    if (members.size === 0) return; // keys live as long as the process
    broadcast(key, JSON.stringify({ type: 'connection_message', message: `${person} Disconnected!` }), ws);
  });
});

console.log(`node-ws peer listening on ws://0.0.0.0:${port}`);
