"""A deliberately minimal WebSocket client on a raw socket, for sending what a
well-behaved library will not: unmasked frames, reserved bits, bad UTF-8,
truncated handshakes, TCP resets."""
import base64
import json
import os
import socket
import struct


def http_exchange(port, request: bytes, timeout=5):
    """Sends raw bytes, returns everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


def upgrade_request(key=None, version="13", extra=""):
    key = key or base64.b64encode(os.urandom(16)).decode()
    return (f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n{extra}\r\n").encode()


def encode_frame(opcode, payload: bytes, fin=True, mask=True, rsv=0, length_override=None):
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    length = len(payload) if length_override is None else length_override
    mask_bit = 0x80 if mask else 0
    if length < 126:
        header = struct.pack("!BB", first, mask_bit | length)
    elif length <= 0xFFFF:
        header = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + apply_mask(payload, key)


def apply_mask(payload: bytes, key: bytes) -> bytes:
    # One big-integer XOR: fast enough for the multi-megabyte messages.
    n = len(payload)
    if n == 0:
        return b""
    keystream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(keystream, "little")).to_bytes(n, "little")


class RawClient:
    def __init__(self, port, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.sock.sendall(upgrade_request())
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"upgrade refused: {head!r}")

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buffer += data

    def _take(self, n):
        while len(self.buffer) < n:
            self._fill()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    def send_frame(self, opcode, payload: bytes, **kwargs):
        self.send_raw(encode_frame(opcode, payload, **kwargs))

    def send_json(self, obj):
        self.send_frame(0x1, json.dumps(obj).encode())

    def recv_frame(self):
        """Returns (fin, opcode, payload) of the next server frame."""
        b0, b1 = self._take(2)
        assert b1 & 0x80 == 0, "server frames must not be masked"
        length = b1 & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._take(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._take(8))
        return bool(b0 & 0x80), b0 & 0x0F, self._take(length)

    def recv_json(self):
        while True:
            fin, opcode, payload = self.recv_frame()
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x8:
                raise ConnectionError(f"closed: {payload!r}")

    def recv_close(self):
        """Skips data frames until the close frame; returns (code, reason)."""
        while True:
            _, opcode, payload = self.recv_frame()
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return code, payload[2:].decode()

    def wait_eof(self):
        """True once the server has closed TCP after the close handshake."""
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
        except (ConnectionResetError, socket.timeout):
            return False

    def reset(self):
        """Ends the connection with a TCP RST instead of a close handshake."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self):
        self.sock.close()
