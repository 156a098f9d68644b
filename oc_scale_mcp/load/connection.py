"""One keep-alive HTTP/1.1 connection as a raw asyncio `Protocol`, parsed by httptools (llhttp).

No coroutine, future or timer per request: the worker calls `send`, the protocol calls back
`worker.completed` / `worker.failed`. This is what lets one Python process keep up with wrk.
"""

import asyncio
import socket
import ssl
import time
from typing import TYPE_CHECKING

import httptools

if TYPE_CHECKING:
    from oc_scale_mcp.load.worker import Worker

perf_counter = time.perf_counter


class Connection(asyncio.Protocol):
    __slots__ = (
        "busy",
        "bytes_in",
        "closing",
        "first_byte_at",
        "headers_done",
        "index",
        "parser",
        "scheduled_at",
        "sent_at",
        "template_index",
        "transport",
        "worker",
    )

    def __init__(self, worker: "Worker", index: int) -> None:
        self.worker = worker
        self.index = index
        self.transport: asyncio.Transport | None = None
        self.parser: httptools.HttpResponseParser | None = None
        self.busy = False
        self.closing = False
        self.headers_done = False
        self.scheduled_at = 0.0
        self.sent_at = 0.0
        self.first_byte_at = 0.0
        self.template_index = 0
        self.bytes_in = 0

    # -- driven by the worker ------------------------------------------------------------------
    def send(self, scheduled_at: float, template_index: int) -> None:
        self.busy = True
        self.headers_done = False
        self.scheduled_at = scheduled_at
        self.template_index = template_index
        self.first_byte_at = 0.0
        self.bytes_in = 0
        self.sent_at = perf_counter()
        self.transport.write(self.worker.raw_requests[template_index])

    def abort(self) -> None:
        self.closing = True
        self.busy = False
        if self.transport is not None:
            self.transport.abort()
            self.transport = None

    # -- asyncio.Protocol ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.closing = False
        self.parser = httptools.HttpResponseParser(self)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if not self.busy:
            return  # bytes after a timeout or unsolicited: ignore
        if not self.first_byte_at:
            self.first_byte_at = perf_counter()
        self.bytes_in += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.busy = False
            self.worker.failed(self, "protocol_error")

    def eof_received(self) -> bool:
        return False  # let the transport close; connection_lost decides what it meant

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.closing:
            return
        if self.busy:
            self.busy = False
            if self.headers_done and exc is None and self.parser is not None and not self.parser.should_keep_alive():
                # a response delimited by closing the connection
                self.worker.completed(self, self.parser.get_status_code(), perf_counter(), False)
                return
            kind = "tls" if isinstance(exc, ssl.SSLError) else "reset"
            self.worker.failed(self, kind)
        else:
            self.worker.disconnected(self)

    # -- httptools callbacks ---------------------------------------------------------------------
    def on_headers_complete(self) -> None:
        self.headers_done = True
        if self.worker.head_requests[self.template_index]:
            # a HEAD response has no body whatever Content-Length says; llhttp cannot know the method
            status, keep = self.parser.get_status_code(), self.parser.should_keep_alive()
            self.parser = httptools.HttpResponseParser(self)
            self.busy = False
            self.worker.completed(self, status, perf_counter(), keep)

    def on_message_complete(self) -> None:
        if not self.busy:
            return
        self.busy = False
        self.worker.completed(self, self.parser.get_status_code(), perf_counter(), self.parser.should_keep_alive())
