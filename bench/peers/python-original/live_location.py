"""The original live-location server, reconstructed from docs/protocol.md and
the original README for benchmarking: one asyncio handler per connection,
`await ws.send` to each member in turn, a new key check per join. Rooms are
kept in a dict (the original also stored keys in MariaDB through aiomysql,
opening a connection per query; that cost is not reproduced here, so these
figures flatter it).

usage: /usr/bin/python3 live_location.py [PORT]
"""
import asyncio
import json
import secrets
import sys

import websockets

JOIN = {}  # key -> list of {"person", "ws"}


async def notify(key, message, sender_person):
    for conn in JOIN.get(key, []):
        if conn["person"] != sender_person:
            await conn["ws"].send(json.dumps({"type": "connection_message", "message": message}))


async def handler(ws, path=None):
    try:
        first = json.loads(await ws.recv())
        person = first["person"]
        assert first["type"] == "init"
    except Exception:
        await ws.send(json.dumps({"type": "error", "message": "Invalid message format."}))
        return
    if "join" in first:
        key = first["join"]
        if key not in JOIN:
            await ws.send(json.dumps({"type": "error", "message": "Join Key Not Found!"}))
            return
        await notify(key, f"{person} Joined!", person)
    else:
        key = secrets.token_urlsafe(12)
        JOIN[key] = []
        await ws.send(json.dumps({"type": "init", "join": key}))
    conn = {"person": person, "ws": ws}
    JOIN[key].append(conn)
    try:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "Location Data":
                out = json.dumps({"type": "Location Data", "person": person,
                                  "latitude": message["latitude"], "longitude": message["longitude"]})
                for other in JOIN.get(key, []):
                    if other["person"] != person:
                        await other["ws"].send(out)
            elif message.get("type") == "destroy" and message.get("join") in JOIN:
                target = message["join"]
                for other in JOIN.pop(target):
                    await other["ws"].send(json.dumps({"type": "connection_message",
                                                       "message": f"{target} Session Destroyed!"}))
                    await other["ws"].close()
    except websockets.ConnectionClosed:
        pass
    finally:
        if key in JOIN and conn in JOIN[key]:
            JOIN[key].remove(conn)
            await notify(key, f"{person} Disconnected!", person)


async def main(port):
    async with websockets.serve(handler, "0.0.0.0", port, ping_interval=None, max_size=1 << 20, compression=None):
        print(f"python original listening on ws://0.0.0.0:{port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8001))
