"""RFC 6455 conformance, case by case, after the Autobahn testsuite's
categories 1-7 and 9 (framing, pings and pongs, reserved bits, opcodes,
fragmentation, UTF-8, close handling, limits), adapted to a room server.

Autobahn's fuzzing client expects an echo; a room server relays instead. Each
case puts two members in a fresh room: the *sender*, a raw-socket client
(rawws) that can put any bytes on the wire, and the *listener*, on Debian's
python3-websockets. Where Autobahn expects its text echoed, here the listener
must receive it as protocol v1 relays it; where it expects a close code, the
sender must get that code, the server must then close TCP, and the listener
must be told the sender left. Text payloads are protocol-v1 messages
({"type":"message","data":...}), since the server reads JSON.

Case ids are "category.section.case". conftest.py prints the totals per
category at the end of the run; docs/reliability.md records them.
"""
import asyncio
import json
import socket
import struct
import threading

import pytest
import websockets

import rawws
from roomkey_server import RoomkeyServer

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
PROTOCOL_ERROR, INVALID_PAYLOAD, TOO_BIG = 1002, 1007, 1009
MiB = 2 ** 20
MAX_MESSAGE = 17 * MiB  # --max-message-bytes: the 16 MiB cases plus their JSON wrapping
BINARY_REFUSED = {"type": "error", "message": "Binary messages are not supported: send JSON as text."}


# ------------------------------------------------------------------ harness

class Listener:
    """A room member on python3-websockets, driven from the (synchronous) test
    through an event loop on a thread of its own."""

    def __init__(self, url, key):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.ws = self._call(self._join(url, key))

    async def _join(self, url, key):
        ws = await websockets.connect(url, max_size=None, open_timeout=5, close_timeout=2)
        await ws.send(json.dumps({"type": "init", "person": "listener", "join": key}))
        return ws

    def _call(self, coroutine, timeout=30):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def recv(self, timeout=10):
        return json.loads(self._call(asyncio.wait_for(self.ws.recv(), timeout), timeout + 5))

    def silent(self, seconds=0.2):
        async def nothing():
            try:
                message = await asyncio.wait_for(self.ws.recv(), seconds)
            except asyncio.TimeoutError:
                return None
            return message
        return self._call(nothing()) is None

    def close(self):
        try:
            self._call(self.ws.close(), 10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


class Room:
    """A fresh room: `sender` (raw socket) created it, `listener` joined."""

    def __init__(self, port, url):
        self.sender = rawws.RawClient(port, timeout=10)
        self.sender.send_json({"type": "init", "person": "sender"})
        reply = self.sender.recv_json()
        assert reply["type"] == "init", reply
        self.listener = Listener(url, reply["join"])
        assert self.sender.recv_json() == {"type": "connection_message", "message": "listener Joined!"}

    # What the listener must see.
    def relayed(self, data, timeout=10):
        assert self.listener.recv(timeout) == {"type": "message", "person": "sender", "data": data}

    def sender_left(self):
        assert self.listener.recv() == {"type": "connection_message", "message": "sender Disconnected!"}

    # What the sender must see.
    def next_frame(self):
        return self.sender.recv_frame()

    def pong(self, payload):
        assert self.next_frame() == (True, PONG, payload)

    def reply(self):
        fin, opcode, payload = self.next_frame()
        assert fin and opcode == TEXT, (opcode, payload[:80])
        return json.loads(payload)

    def closed_with(self, code):
        """The server's next frame is a close with `code`, then TCP ends, and
        the listener is told."""
        fin, opcode, payload = self.next_frame()
        assert opcode == CLOSE, (opcode, payload[:80])
        got = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
        assert got == code, f"close code {got}, expected {code}"
        self.answer_close(got)
        assert self.sender.wait_eof(), "the server did not close TCP after its close frame"
        self.sender_left()

    def answer_close(self, code):
        """Completes the close handshake as a well-behaved client does (the
        server may have closed TCP already: then there is nothing to answer)."""
        try:
            self.sender.send_frame(CLOSE, struct.pack("!H", code))
        except OSError:
            pass

    def close_handshake(self, code=1000, reason=b""):
        """A clean close from the sender: the same code comes back, then EOF."""
        payload = b"" if code is None else struct.pack("!H", code) + reason
        self.sender.send_frame(CLOSE, payload)
        self.echoed_close(code)

    def echoed_close(self, code):
        fin, opcode, payload = self.next_frame()
        assert opcode == CLOSE
        assert (struct.unpack("!H", payload[:2])[0] if payload else None) == code
        assert self.sender.wait_eof()
        self.sender_left()

    def still_works(self):
        self.sender.send_frame(TEXT, message("still here"))
        self.relayed("still here")

    def end(self):
        self.sender.close()
        self.listener.close()


def message(data) -> bytes:
    return json.dumps({"type": "message", "data": data}, ensure_ascii=False).encode()


def message_of_size(size) -> bytes:
    """A protocol-v1 message exactly `size` bytes long."""
    wrapping = len(message(""))
    assert size >= wrapping
    return message("x" * (size - wrapping))


def data_of(raw: bytes):
    return json.loads(raw)["data"]


def chopped(sock, data: bytes, chunk):
    """Sends `data` in pieces of `chunk` bytes, each its own TCP write."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(0, len(data), chunk):
        sock.sendall(data[i:i + chunk])


@pytest.fixture(scope="module")
def conformance_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("conformance") / "rooms.db"
    srv = RoomkeyServer(f"sqlite:{db}", "--max-message-bytes", str(MAX_MESSAGE)).start()
    yield srv
    srv.stop()


@pytest.fixture
def room(conformance_server):
    r = Room(conformance_server.port, conformance_server.url)
    yield r
    r.end()


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


# ------------------------------------------------------ 1 framing: data frames

TEXT_SIZES = [("1.1.1", 32), ("1.1.2", 125), ("1.1.3", 126), ("1.1.4", 127), ("1.1.5", 128),
              ("1.1.6", 65535), ("1.1.7", 65536)]


@pytest.mark.parametrize("size", [case(i, s) for i, s in TEXT_SIZES])
def test_1_a_text_message_of_each_length_encoding_is_relayed(room, size):
    raw = message_of_size(size)
    room.sender.send_frame(TEXT, raw)
    room.relayed(data_of(raw))


def test_1_1_8_a_64k_text_message_sent_in_997_byte_pieces_is_relayed(room):
    raw = message_of_size(65536)
    chopped(room.sender.sock, rawws.encode_frame(TEXT, raw), 997)
    room.relayed(data_of(raw))


def test_1_1_9_an_empty_text_message_is_answered_not_relayed(room):
    room.sender.send_frame(TEXT, b"")
    assert room.reply()["type"] == "error"
    assert room.listener.silent()
    room.still_works()


BINARY_SIZES = [("1.2.1", 0), ("1.2.2", 125), ("1.2.3", 126), ("1.2.4", 127), ("1.2.5", 128),
                ("1.2.6", 65535), ("1.2.7", 65536)]


@pytest.mark.parametrize("size", [case(i, s) for i, s in BINARY_SIZES])
def test_1_a_binary_message_of_each_length_is_refused_with_an_error_and_the_connection_stays(room, size):
    room.sender.send_frame(BINARY, bytes(i % 256 for i in range(size)))
    assert room.reply() == BINARY_REFUSED
    assert room.listener.silent()
    room.still_works()


def test_1_2_8_a_64k_binary_message_sent_in_997_byte_pieces_is_refused_cleanly(room):
    chopped(room.sender.sock, rawws.encode_frame(BINARY, b"\xfe" * 65536), 997)
    assert room.reply() == BINARY_REFUSED
    room.still_works()


# ------------------------------------------------------- 2 pings and pongs

def test_2_1_a_ping_without_payload_gets_a_pong_without_payload(room):
    room.sender.send_frame(PING, b"")
    room.pong(b"")


def test_2_2_a_ping_with_text_payload_gets_it_back(room):
    room.sender.send_frame(PING, b"Hello, world!")
    room.pong(b"Hello, world!")


def test_2_3_a_ping_with_binary_payload_gets_it_back(room):
    room.sender.send_frame(PING, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")
    room.pong(b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")


def test_2_4_a_ping_with_125_bytes_gets_them_back(room):
    room.sender.send_frame(PING, b"\xfe" * 125)
    room.pong(b"\xfe" * 125)


def test_2_5_a_ping_with_126_bytes_is_a_protocol_error(room):
    room.sender.send_frame(PING, b"\xfe" * 126)
    room.closed_with(PROTOCOL_ERROR)


def test_2_6_a_ping_sent_one_byte_at_a_time_gets_a_pong(room):
    chopped(room.sender.sock, rawws.encode_frame(PING, b"\xfe" * 125), 1)
    room.pong(b"\xfe" * 125)


def test_2_7_an_unsolicited_pong_without_payload_is_ignored(room):
    room.sender.send_frame(PONG, b"")
    room.still_works()


def test_2_8_an_unsolicited_pong_with_payload_is_ignored(room):
    room.sender.send_frame(PONG, b"unsolicited pong payload")
    room.still_works()


def test_2_9_an_unsolicited_pong_then_a_ping_gets_one_pong_for_the_ping(room):
    room.sender.send_raw(rawws.encode_frame(PONG, b"unsolicited") + rawws.encode_frame(PING, b"solicited"))
    room.pong(b"solicited")
    room.still_works()


def test_2_10_ten_pings_get_ten_pongs_in_order(room):
    room.sender.send_raw(b"".join(rawws.encode_frame(PING, f"payload-{i}".encode()) for i in range(10)))
    for i in range(10):
        room.pong(f"payload-{i}".encode())


def test_2_11_ten_pings_sent_one_byte_at_a_time_get_ten_pongs(room):
    frames = b"".join(rawws.encode_frame(PING, f"payload-{i}".encode()) for i in range(10))
    chopped(room.sender.sock, frames, 1)
    for i in range(10):
        room.pong(f"payload-{i}".encode())


# ------------------------------------------------------------ 3 reserved bits

def test_3_1_rsv1_on_a_text_frame_is_a_protocol_error(room):
    room.sender.send_frame(TEXT, message("Hello"), rsv=1)
    room.closed_with(PROTOCOL_ERROR)


def test_3_2_rsv2_after_a_good_message_the_good_one_is_relayed_then_the_close(room):
    room.sender.send_frame(TEXT, message("first"))
    room.sender.send_frame(TEXT, message("second"), rsv=2)
    room.sender.send_frame(PING, b"never answered")
    room.relayed("first")
    room.closed_with(PROTOCOL_ERROR)  # no pong first: nothing after the bad frame is read


def test_3_3_rsv3_in_one_write_with_a_good_message_and_a_ping(room):
    room.sender.send_raw(rawws.encode_frame(TEXT, message("first")) +
                         rawws.encode_frame(TEXT, message("second"), rsv=3) +
                         rawws.encode_frame(PING, b""))
    room.relayed("first")
    room.closed_with(PROTOCOL_ERROR)


def test_3_4_rsv4_sent_one_byte_at_a_time(room):
    data = rawws.encode_frame(TEXT, message("first")) + rawws.encode_frame(TEXT, message("second"), rsv=4)
    chopped(room.sender.sock, data, 1)
    room.relayed("first")
    room.closed_with(PROTOCOL_ERROR)


def test_3_5_rsv5_on_a_binary_frame(room):
    room.sender.send_frame(BINARY, b"\x00\xff" * 4, rsv=5)
    room.closed_with(PROTOCOL_ERROR)


def test_3_6_rsv6_on_a_ping(room):
    room.sender.send_frame(PING, b"ping", rsv=6)
    room.closed_with(PROTOCOL_ERROR)


def test_3_7_rsv7_on_a_close(room):
    room.sender.send_frame(CLOSE, struct.pack("!H", 1000), rsv=7)
    room.closed_with(PROTOCOL_ERROR)


# ------------------------------------------------------------------ 4 opcodes

RESERVED_OPCODES = [("4.1.1", 3, b""), ("4.1.2", 4, b"reserved"), ("4.1.3", 5, b""), ("4.1.4", 6, b"reserved"),
                    ("4.1.5", 7, b""), ("4.2.1", 11, b""), ("4.2.2", 12, b"reserved"), ("4.2.3", 13, b""),
                    ("4.2.4", 14, b"reserved"), ("4.2.5", 15, b"")]


@pytest.mark.parametrize("opcode,payload", [case(i, o, p) for i, o, p in RESERVED_OPCODES])
def test_4_a_reserved_opcode_after_a_good_message_is_a_protocol_error(room, opcode, payload):
    room.sender.send_raw(rawws.encode_frame(TEXT, message("before")) + rawws.encode_frame(opcode, payload) +
                         rawws.encode_frame(PING, b""))
    room.relayed("before")
    room.closed_with(PROTOCOL_ERROR)


# ------------------------------------------------------------ 5 fragmentation

def test_5_1_a_fragmented_ping_is_a_protocol_error(room):
    room.sender.send_frame(PING, b"frag", fin=False)
    room.sender.send_frame(CONT, b"ment")
    room.closed_with(PROTOCOL_ERROR)


def test_5_2_a_fragmented_pong_is_a_protocol_error(room):
    room.sender.send_frame(PONG, b"frag", fin=False)
    room.sender.send_frame(CONT, b"ment")
    room.closed_with(PROTOCOL_ERROR)


def fragments(raw: bytes, count):
    """Splits a text message into `count` frames (text, continuations)."""
    size = -(-len(raw) // count)
    pieces = [raw[i:i + size] for i in range(0, len(raw), size)]
    return [rawws.encode_frame(TEXT if i == 0 else CONT, piece, fin=i == len(pieces) - 1)
            for i, piece in enumerate(pieces)]


def test_5_3_a_text_message_in_two_fragments_is_relayed_whole(room):
    room.sender.send_raw(b"".join(fragments(message("fragmented"), 2)))
    room.relayed("fragmented")


def test_5_4_two_fragments_in_separate_writes(room):
    for frame in fragments(message("fragmented"), 2):
        room.sender.send_raw(frame)
    room.relayed("fragmented")


def test_5_5_two_fragments_sent_one_byte_at_a_time(room):
    chopped(room.sender.sock, b"".join(fragments(message("fragmented"), 2)), 1)
    room.relayed("fragmented")


def test_5_6_a_ping_between_two_fragments_is_answered_and_the_message_relayed(room):
    first, last = fragments(message("fragmented"), 2)
    room.sender.send_raw(first + rawws.encode_frame(PING, b"in between") + last)
    room.pong(b"in between")
    room.relayed("fragmented")


def test_5_7_a_ping_between_fragments_in_separate_writes(room):
    first, last = fragments(message("fragmented"), 2)
    for frame in (first, rawws.encode_frame(PING, b"in between"), last):
        room.sender.send_raw(frame)
    room.pong(b"in between")
    room.relayed("fragmented")


def test_5_8_a_ping_between_fragments_sent_one_byte_at_a_time(room):
    first, last = fragments(message("fragmented"), 2)
    chopped(room.sender.sock, first + rawws.encode_frame(PING, b"in between") + last, 1)
    room.pong(b"in between")
    room.relayed("fragmented")


def test_5_9_a_continuation_without_a_message_then_a_message(room):
    room.sender.send_raw(rawws.encode_frame(CONT, b"fragment", fin=False) + rawws.encode_frame(TEXT, message("x")))
    room.closed_with(PROTOCOL_ERROR)
    assert room.listener.silent()


def test_5_10_a_final_continuation_without_a_message(room):
    room.sender.send_frame(CONT, b"fragment")
    room.closed_with(PROTOCOL_ERROR)


def test_5_11_a_continuation_without_a_message_one_byte_at_a_time(room):
    chopped(room.sender.sock, rawws.encode_frame(CONT, b"fragment", fin=False) +
            rawws.encode_frame(TEXT, message("x")), 1)
    room.closed_with(PROTOCOL_ERROR)


def test_5_12_two_continuations_without_a_message(room):
    room.sender.send_raw(rawws.encode_frame(CONT, b"frag", fin=False) + rawws.encode_frame(CONT, b"ment"))
    room.closed_with(PROTOCOL_ERROR)


def test_5_13_a_continuation_after_a_finished_message(room):
    room.sender.send_raw(rawws.encode_frame(TEXT, message("whole")) + rawws.encode_frame(CONT, b"stray"))
    room.relayed("whole")
    room.closed_with(PROTOCOL_ERROR)


def test_5_14_a_new_text_frame_inside_a_fragmented_message(room):
    first, _ = fragments(message("fragmented"), 2)
    room.sender.send_raw(first + rawws.encode_frame(TEXT, message("intruder")))
    room.closed_with(PROTOCOL_ERROR)
    assert room.listener.silent()


def test_5_15_a_new_binary_frame_inside_a_fragmented_message(room):
    first, _ = fragments(message("fragmented"), 2)
    room.sender.send_raw(first + rawws.encode_frame(BINARY, b"intruder"))
    room.closed_with(PROTOCOL_ERROR)


def test_5_16_a_message_fragmented_in_two_runs_twice(room):
    for data in ("one", "two"):
        room.sender.send_raw(b"".join(fragments(message(data), 3)))
    room.relayed("one")
    room.relayed("two")


def test_5_17_a_message_fragmented_into_many_empty_and_one_byte_frames(room):
    raw = message("many fragments")
    frames = [rawws.encode_frame(TEXT, b"", fin=False)]
    for byte in raw:
        frames.append(rawws.encode_frame(CONT, bytes([byte]), fin=False))
        frames.append(rawws.encode_frame(CONT, b"", fin=False))
    frames.append(rawws.encode_frame(CONT, b"", fin=True))
    room.sender.send_raw(b"".join(frames))
    room.relayed("many fragments")


def test_5_18_five_fragments_with_two_pings_between(room):
    pieces = fragments(message("five fragments"), 5)
    room.sender.send_raw(pieces[0] + rawws.encode_frame(PING, b"p1") + pieces[1] + pieces[2] +
                         rawws.encode_frame(PING, b"p2") + pieces[3] + pieces[4])
    room.pong(b"p1")
    room.pong(b"p2")
    room.relayed("five fragments")


def test_5_19_five_fragments_with_two_pings_one_byte_at_a_time(room):
    pieces = fragments(message("five fragments"), 5)
    chopped(room.sender.sock, pieces[0] + rawws.encode_frame(PING, b"p1") + pieces[1] + pieces[2] +
            rawws.encode_frame(PING, b"p2") + pieces[3] + pieces[4], 1)
    room.pong(b"p1")
    room.pong(b"p2")
    room.relayed("five fragments")


def test_5_20_a_close_between_fragments_ends_the_connection_without_relaying(room):
    first, _ = fragments(message("never finished"), 2)
    room.sender.send_raw(first + rawws.encode_frame(CLOSE, struct.pack("!H", 1000)))
    room.echoed_close(1000)
    assert room.listener.silent()


# ----------------------------------------------------------------- 6 UTF-8

VALID_UTF8 = [
    ("6.1.1", "ascii", b"Hello, world"),
    ("6.1.2", "greek", "κόσμε".encode()),
    ("6.1.3", "first-2-byte", b"\xc2\x80"),
    ("6.1.4", "first-3-byte", b"\xe0\xa0\x80"),
    ("6.1.5", "first-4-byte", b"\xf0\x90\x80\x80"),
    ("6.1.6", "last-2-byte", b"\xdf\xbf"),
    ("6.1.7", "last-3-byte", b"\xef\xbf\xbf"),
    ("6.1.8", "last-code-point", b"\xf4\x8f\xbf\xbf"),
    ("6.1.9", "before-surrogates", b"\xed\x9f\xbf"),
    ("6.1.10", "after-surrogates", b"\xee\x80\x80"),
    ("6.1.11", "replacement-char", b"\xef\xbf\xbd"),
    ("6.1.12", "noncharacter-fffe", b"\xef\xbf\xbe"),
    ("6.1.13", "noncharacter-1ffff", b"\xf0\x9f\xbf\xbf"),
    ("6.1.14", "emoji", "🗺️📍".encode()),
    ("6.1.15", "mixed-scripts", "Zürich → 東京, مرحبا".encode()),
    ("6.1.16", "delete-char", b"\x7f"),
]

INVALID_UTF8 = [
    ("6.2.1", "lone-continuation-80", b"\x80"),
    ("6.2.2", "lone-continuation-bf", b"\xbf"),
    ("6.2.3", "continuations-only", b"\x80\xbf\x80\xbf"),
    ("6.2.4", "lonely-2-byte-start", b"\xc3 "),
    ("6.2.5", "lonely-3-byte-start", b"\xe2 "),
    ("6.2.6", "lonely-4-byte-start", b"\xf0 "),
    ("6.2.7", "2-byte-missing-last", b"\xc3"),
    ("6.2.8", "3-byte-missing-last", b"\xe2\x82"),
    ("6.2.9", "4-byte-missing-last", b"\xf0\x9f\x98"),
    ("6.2.10", "overlong-slash-2", b"\xc0\xaf"),
    ("6.2.11", "overlong-slash-3", b"\xe0\x80\xaf"),
    ("6.2.12", "overlong-slash-4", b"\xf0\x80\x80\xaf"),
    ("6.2.13", "overlong-max-2", b"\xc1\xbf"),
    ("6.2.14", "overlong-max-3", b"\xe0\x9f\xbf"),
    ("6.2.15", "overlong-max-4", b"\xf0\x8f\xbf\xbf"),
    ("6.2.16", "overlong-nul", b"\xc0\x80"),
    ("6.2.17", "above-10ffff", b"\xf4\x90\x80\x80"),
    ("6.2.18", "f5-lead", b"\xf5\x80\x80\x80"),
    ("6.2.19", "5-byte-form", b"\xf8\x88\x80\x80\x80"),
    ("6.2.20", "6-byte-form", b"\xfc\x84\x80\x80\x80\x80"),
    ("6.2.21", "high-surrogate", b"\xed\xa0\x80"),
    ("6.2.22", "low-surrogate", b"\xed\xbf\xbf"),
    ("6.2.23", "surrogate-pair", b"\xed\xa0\xbd\xed\xb8\x80"),
    ("6.2.24", "byte-fe", b"\xfe"),
    ("6.2.25", "byte-ff", b"\xff"),
    ("6.2.26", "fe-fe-ff-ff", b"\xfe\xfe\xff\xff"),
    ("6.2.27", "valid-then-invalid", "κόσμε".encode() + b"\xed\xa0\x80edited"),
]


def text_containing(sequence: bytes) -> bytes:
    """A protocol-v1 message whose data string holds these raw bytes."""
    return b'{"type":"message","data":"<' + sequence + b'>"}'


@pytest.mark.parametrize("sequence", [case(f"{i}-{name}", s) for i, name, s in VALID_UTF8])
def test_6_valid_utf8_is_relayed_exactly(room, sequence):
    room.sender.send_frame(TEXT, text_containing(sequence))
    room.relayed("<" + sequence.decode() + ">")


@pytest.mark.parametrize("sequence", [case(f"{i}-{name}-fragmented", s) for i, name, s in VALID_UTF8[1:9]])
def test_6_valid_utf8_split_one_byte_per_fragment_is_relayed_exactly(room, sequence):
    raw = text_containing(sequence)
    frames = [rawws.encode_frame(TEXT if i == 0 else CONT, raw[i:i + 1], fin=i == len(raw) - 1)
              for i in range(len(raw))]
    room.sender.send_raw(b"".join(frames))
    room.relayed("<" + sequence.decode() + ">")


@pytest.mark.parametrize("sequence", [case(f"{i}-{name}", s) for i, name, s in INVALID_UTF8])
def test_6_invalid_utf8_closes_with_1007_and_nothing_is_relayed(room, sequence):
    room.sender.send_frame(TEXT, text_containing(sequence))
    room.closed_with(INVALID_PAYLOAD)
    assert room.listener.silent()


@pytest.mark.parametrize("sequence", [case(f"{i}-{name}-fragmented", s) for i, name, s in INVALID_UTF8[:12]])
def test_6_invalid_utf8_split_one_byte_per_fragment_closes_with_1007(room, sequence):
    raw = text_containing(sequence)
    frames = [rawws.encode_frame(TEXT if i == 0 else CONT, raw[i:i + 1], fin=i == len(raw) - 1)
              for i in range(len(raw))]
    room.sender.send_raw(b"".join(frames))
    room.closed_with(INVALID_PAYLOAD)


FAIL_FAST = [("6.3.1", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"),  # a surrogate after valid text
             ("6.3.2", b"\xc0\xaf"), ("6.3.3", b"\xf4\x90\x80\x80")]


@pytest.mark.parametrize("sequence", [case(i, s) for i, s in FAIL_FAST])
def test_6_invalid_utf8_in_a_first_fragment_closes_before_the_message_ends(room, sequence):
    # The rest of the message never comes: the server must not wait for it.
    room.sender.send_frame(TEXT, b'{"type":"message","data":"' + sequence, fin=False)
    room.closed_with(INVALID_PAYLOAD)


# -------------------------------------------------------------- 7 close handling

def test_7_1_1_a_message_then_a_close_relays_then_echoes_the_close(room):
    room.sender.send_raw(rawws.encode_frame(TEXT, message("last words")) +
                         rawws.encode_frame(CLOSE, struct.pack("!H", 1000)))
    room.relayed("last words")
    room.echoed_close(1000)


def test_7_1_2_a_second_close_is_ignored(room):
    room.sender.send_raw(rawws.encode_frame(CLOSE, struct.pack("!H", 1000)) +
                         rawws.encode_frame(CLOSE, struct.pack("!H", 1001)))
    room.echoed_close(1000)


def test_7_1_3_a_ping_after_the_close_is_not_answered(room):
    room.sender.send_raw(rawws.encode_frame(CLOSE, struct.pack("!H", 1000)) + rawws.encode_frame(PING, b"late"))
    room.echoed_close(1000)  # the next frame is the close, not a pong


def test_7_1_4_a_message_after_the_close_is_not_relayed(room):
    room.sender.send_raw(rawws.encode_frame(CLOSE, struct.pack("!H", 1000)) +
                         rawws.encode_frame(TEXT, message("too late")))
    room.echoed_close(1000)
    assert room.listener.silent()


def test_7_1_5_a_close_after_a_first_fragment_drops_the_fragment(room):
    first, rest = fragments(message("half"), 2)
    room.sender.send_raw(first + rawws.encode_frame(CLOSE, struct.pack("!H", 1000)) + rest)
    room.echoed_close(1000)
    assert room.listener.silent()


def test_7_1_6_a_big_message_then_a_close_relays_all_of_it_first(room):
    raw = message_of_size(256 * 1024)
    room.sender.send_raw(rawws.encode_frame(TEXT, raw) + rawws.encode_frame(CLOSE, struct.pack("!H", 1000)))
    room.relayed(data_of(raw))
    room.echoed_close(1000)


def test_7_3_1_a_close_without_payload_is_answered_without_payload(room):
    room.close_handshake(None)


def test_7_3_2_a_close_with_a_one_byte_payload_is_a_protocol_error(room):
    room.sender.send_frame(CLOSE, b"\x03")
    room.closed_with(PROTOCOL_ERROR)


def test_7_3_3_a_close_with_a_code_only(room):
    room.close_handshake(1000)


def test_7_3_4_a_close_with_a_code_and_a_reason(room):
    room.close_handshake(1000, b"Hello World!")


def test_7_3_5_a_close_with_a_123_byte_reason(room):
    room.close_handshake(1000, b"*" * 123)


def test_7_3_6_a_close_with_a_124_byte_reason_is_too_long_for_a_control_frame(room):
    room.sender.send_frame(CLOSE, struct.pack("!H", 1000) + b"*" * 124)
    room.closed_with(PROTOCOL_ERROR)


def test_7_5_1_a_close_reason_that_is_not_utf8_closes_with_1007(room):
    room.sender.send_frame(CLOSE, struct.pack("!H", 1000) + b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")
    room.closed_with(INVALID_PAYLOAD)


VALID_CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]
INVALID_CLOSE_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]


@pytest.mark.parametrize("code", [case(f"7.7.{n}-{c}", c) for n, c in enumerate(VALID_CLOSE_CODES, 1)])
def test_7_7_a_valid_close_code_is_echoed(room, code):
    room.close_handshake(code)


@pytest.mark.parametrize("code", [case(f"7.9.{n}-{c}", c) for n, c in enumerate(INVALID_CLOSE_CODES, 1)])
def test_7_9_an_invalid_close_code_is_a_protocol_error(room, code):
    room.sender.send_frame(CLOSE, struct.pack("!H", code))
    room.closed_with(PROTOCOL_ERROR)


# ------------------------------------------------------- 9 limits and big data

BIG_TEXT = [("9.1.1", 64 * 1024), ("9.1.2", 256 * 1024), ("9.1.3", MiB), ("9.1.4", 4 * MiB), ("9.1.5", 8 * MiB),
            ("9.1.6", 16 * MiB)]


@pytest.mark.parametrize("size", [case(i, s) for i, s in BIG_TEXT])
def test_9_1_a_big_text_message_is_relayed_whole(room, size):
    raw = message_of_size(size)
    room.sender.send_frame(TEXT, raw)
    room.relayed(data_of(raw), timeout=60)


BIG_BINARY = [("9.2.1", 64 * 1024), ("9.2.2", MiB), ("9.2.3", 16 * MiB)]


@pytest.mark.parametrize("size", [case(i, s) for i, s in BIG_BINARY])
def test_9_2_a_big_binary_message_is_refused_cleanly(room, size):
    room.sender.send_frame(BINARY, b"\xfe" * size)
    assert room.reply() == BINARY_REFUSED
    room.still_works()


FRAGMENT_SIZES = [("9.3.1", 64), ("9.3.2", 256), ("9.3.3", 1024), ("9.3.4", 4096), ("9.3.5", 16 * 1024),
                  ("9.3.6", 64 * 1024), ("9.3.7", 256 * 1024), ("9.3.8", MiB), ("9.3.9", 4 * MiB)]


@pytest.mark.parametrize("fragment", [case(i, s) for i, s in FRAGMENT_SIZES])
def test_9_3_a_4mib_text_message_in_fragments_of_each_size_is_relayed_whole(room, fragment):
    raw = message_of_size(4 * MiB)
    room.sender.send_raw(b"".join(fragments(raw, len(raw) // fragment)))
    room.relayed(data_of(raw), timeout=60)


CHOP_SIZES = [("9.5.1", 64), ("9.5.2", 128), ("9.5.3", 256), ("9.5.4", 512), ("9.5.5", 1024), ("9.5.6", 4096)]


@pytest.mark.parametrize("chop", [case(i, s) for i, s in CHOP_SIZES])
def test_9_5_a_256k_text_message_written_in_small_pieces_is_relayed_whole(room, chop):
    raw = message_of_size(256 * 1024)
    chopped(room.sender.sock, rawws.encode_frame(TEXT, raw), chop)
    room.relayed(data_of(raw), timeout=60)


@pytest.mark.parametrize("size", [case("9.7.1", 100), case("9.7.2", 16 * 1024)])
def test_9_7_a_thousand_messages_one_after_another_each_arrives(room, size):
    payload = data_of(message_of_size(size))
    for i in range(1000):
        room.sender.send_frame(TEXT, message(f"{i:04d}" + payload[4:]))
        assert room.listener.recv()["data"][:4] == f"{i:04d}"


def test_9_8_1_a_message_declared_one_byte_over_the_limit_closes_with_1009_before_its_payload(room):
    header = struct.pack("!BBQ", 0x81, 0x80 | 127, MAX_MESSAGE + 1) + b"mask"
    room.sender.send_raw(header + b"x" * 1024)  # the rest never comes
    room.closed_with(TOO_BIG)


def test_9_8_2_a_fragmented_message_that_would_grow_over_the_limit_closes_with_1009(room):
    room.sender.send_frame(TEXT, b'{"type":"message","data":"' + b"x" * (16 * MiB), fin=False)
    header = struct.pack("!BBQ", 0x00, 0x80 | 127, 2 * MiB) + b"mask"
    room.sender.send_raw(header + b"x" * 1024)  # the rest never comes
    room.closed_with(TOO_BIG)
