"""The AWS event-stream binary framing (``application/vnd.amazon.eventstream``), as Amazon Bedrock streams.

One message::

    [total_len u32][headers_len u32][prelude_crc u32 = CRC32(first 8 bytes)]
    [headers ...][payload ...][message_crc u32 = CRC32(every byte before it)]
    header = [name_len u8][name utf8][type u8][value]

All integers are big-endian. Messages split across network reads are buffered until whole; a CRC that does
not match, a length out of bounds or an unknown header type raises :class:`EventStreamError`. Hand-written
(about botocore's ``EventStreamBuffer`` in size) so a stream does not import botocore; the tests check both
directions against botocore.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

HeaderValue = bool | int | bytes | str | uuid.UUID

PRELUDE = 12
MIN_MESSAGE = PRELUDE + 4
MAX_HEADERS = 128 * 1024
MAX_PAYLOAD = 24 * 1024 * 1024
_U32 = struct.Struct(">I")
_PRELUDE = struct.Struct(">III")
_INTS = {2: struct.Struct(">b"), 3: struct.Struct(">h"), 4: struct.Struct(">i"), 5: struct.Struct(">q")}
_TIMESTAMP = 8
_UUID = 9


class EventStreamError(ValueError):
    """Bytes that are not a valid event-stream message."""


@dataclass(slots=True)
class EventMessage:
    """One decoded message: its headers (``:message-type``, ``:event-type``...) and its payload."""

    headers: dict[str, HeaderValue]
    payload: bytes

    @property
    def message_type(self) -> str:
        return str(self.headers.get(":message-type", "event"))


def _crc(data: bytes | bytearray | memoryview) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def _decode_headers(raw: bytes) -> dict[str, HeaderValue]:
    headers: dict[str, HeaderValue] = {}
    at = 0
    try:
        while at < len(raw):
            size = raw[at]
            name = raw[at + 1 : at + 1 + size].decode("utf-8")
            at += 1 + size
            kind = raw[at]
            at += 1
            value: HeaderValue
            if kind in (0, 1):
                value = kind == 0
            elif kind in _INTS:
                fmt = _INTS[kind]
                (value,) = fmt.unpack_from(raw, at)
                at += fmt.size
            elif kind == _TIMESTAMP:
                (value,) = _INTS[5].unpack_from(raw, at)
                at += 8
            elif kind == _UUID:
                if at + 16 > len(raw):
                    raise EventStreamError("a uuid header runs past the headers")
                value = uuid.UUID(bytes=raw[at : at + 16])
                at += 16
            elif kind in (6, 7):
                (length,) = struct.unpack_from(">H", raw, at)
                at += 2
                data = raw[at : at + length]
                if len(data) != length:
                    raise EventStreamError("a header value runs past the headers")
                value = data.decode("utf-8") if kind == 7 else data
                at += length
            else:
                raise EventStreamError(f"unknown header value type {kind}")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError) as err:
        raise EventStreamError(f"malformed headers ({err})") from None
    return headers


class EventStreamDecoder:
    """Feed it bytes as they arrive; it returns the messages completed so far."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of a message not yet complete (non-zero at the end of a stream = it was cut)."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[EventMessage]:
        buffer = self._buffer
        buffer += data
        messages: list[EventMessage] = []
        at = 0  # consumed bytes are dropped once at the end: one move per read, not one per message
        try:
            while len(buffer) - at >= PRELUDE:
                total, headers_len, prelude_crc = _PRELUDE.unpack_from(buffer, at)
                if _crc(buffer[at : at + 8]) != prelude_crc:
                    raise EventStreamError("prelude CRC mismatch")
                if headers_len > MAX_HEADERS:
                    raise EventStreamError(f"headers of {headers_len} bytes exceed {MAX_HEADERS}")
                payload_len = total - headers_len - MIN_MESSAGE
                if payload_len < 0 or payload_len > MAX_PAYLOAD:
                    raise EventStreamError(f"message length {total} does not fit its {headers_len} bytes of headers")
                if len(buffer) - at < total:
                    break
                message = bytes(buffer[at : at + total])
                at += total
                (message_crc,) = _U32.unpack_from(message, total - 4)
                if _crc(memoryview(message)[: total - 4]) != message_crc:
                    raise EventStreamError("message CRC mismatch")
                headers = _decode_headers(message[PRELUDE : PRELUDE + headers_len])
                messages.append(EventMessage(headers, message[PRELUDE + headers_len : total - 4]))
        finally:
            del buffer[:at]
        return messages


def _encode_header(name: str, value: HeaderValue) -> bytes:
    raw_name = name.encode("utf-8")
    head = bytes([len(raw_name)]) + raw_name
    if isinstance(value, bool):
        return head + bytes([0 if value else 1])
    if isinstance(value, int):
        return head + bytes([4]) + _INTS[4].pack(value)
    if isinstance(value, uuid.UUID):
        return head + bytes([_UUID]) + value.bytes
    data, kind = (value, 6) if isinstance(value, bytes) else (value.encode("utf-8"), 7)
    return head + bytes([kind]) + struct.pack(">H", len(data)) + data


def encode_message(headers: dict[str, HeaderValue], payload: bytes) -> bytes:
    """One message in the wire format (headers in the order given)."""
    raw_headers = b"".join(_encode_header(k, v) for k, v in headers.items())
    total = MIN_MESSAGE + len(raw_headers) + len(payload)
    prelude = struct.pack(">II", total, len(raw_headers))
    body = prelude + _U32.pack(_crc(prelude)) + raw_headers + payload
    return body + _U32.pack(_crc(body))


class EventStreamTruncated(EventStreamError):
    """The stream ended inside a message."""


async def aiter_eventstream(chunks: AsyncIterator[bytes]) -> AsyncIterator[EventMessage]:
    """Messages from a stream of byte chunks, however the chunks cut them."""
    decoder = EventStreamDecoder()
    async for data in chunks:
        for message in decoder.feed(data):
            yield message
    if decoder.pending:
        raise EventStreamTruncated(f"the stream ended {decoder.pending} byte(s) into a message")
