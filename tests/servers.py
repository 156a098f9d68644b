"""Real HTTP servers on 127.0.0.1 for the tests, each with one controlled behaviour.

They run on their own asyncio loop in a thread (or a process, for load at full speed) and speak
enough HTTP/1.1 for keep-alive clients: requests are read up to the blank line plus Content-Length.
"""

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Behaviour:
    status: int = 200
    body: bytes = b"ok"
    delay_s: float = 0.0
    stall_every_s: float = 0.0  # the whole server freezes for stall_s every stall_every_s
    stall_s: float = 0.0
    chunked: bool = False
    close_after_response: bool = False
    reset: bool = False  # RST instead of answering
    slow_body: bool = False  # headers, then part of the body, then nothing
    headers: dict[str, str] = field(default_factory=dict)
    fail_every: int = 0  # every Nth response is a 500
    # per-path handlers: path -> f(request headers) -> (status, headers, body); they win over the above
    routes: dict = field(default_factory=dict)


class _Server:
    def __init__(self, behaviour: Behaviour) -> None:
        self.b = behaviour
        self.started = time.monotonic()
        self.requests = 0
        self.statuses: dict[int, int] = {}  # what the server really sent, to check clients against

    def _stall_remaining(self) -> float:
        if not self.b.stall_every_s:
            return 0.0
        phase = (time.monotonic() - self.started) % self.b.stall_every_s
        stall_start = self.b.stall_every_s - self.b.stall_s
        return self.b.stall_every_s - phase if phase >= stall_start else 0.0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        b = self.b
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                request_headers = {}
                for line in head.split(b"\r\n")[1:]:
                    if b":" in line:
                        name, _, value = line.partition(b":")
                        request_headers[name.decode().strip().lower()] = value.decode().strip()
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                path = head.split(b" ", 2)[1].decode()
                if path in b.routes:
                    status, headers, body = b.routes[path](request_headers)
                    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                    writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body)
                    await writer.drain()
                    continue
                if b.reset:
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                wait = self._stall_remaining()
                if wait:
                    await asyncio.sleep(wait)
                if b.delay_s:
                    await asyncio.sleep(b.delay_s)
                status = 500 if b.fail_every and self.requests % b.fail_every == 0 else b.status
                self.statuses[status] = self.statuses.get(status, 0) + 1
                extra = "".join(f"{k}: {v}\r\n" for k, v in b.headers.items())
                conn = "Connection: close\r\n" if b.close_after_response else ""
                if b.slow_body:
                    writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 1000\r\n{extra}\r\n".encode() + b"x" * 10)
                    await writer.drain()
                    await asyncio.sleep(3600)
                if b.chunked:
                    half = len(b.body) // 2
                    chunks = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in (b.body[:half], b.body[half:]))
                    writer.write(
                        f"HTTP/1.1 {status} X\r\nTransfer-Encoding: chunked\r\n{conn}{extra}\r\n".encode()
                        + chunks
                        + b"0\r\n\r\n"
                    )
                else:
                    writer.write(
                        f"HTTP/1.1 {status} X\r\nContent-Length: {len(b.body)}\r\n{conn}{extra}\r\n".encode() + b.body
                    )
                await writer.drain()
                if b.close_after_response:
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


@contextlib.contextmanager
def http_server(behaviour: Behaviour | None = None, ssl_context=None) -> Iterator[tuple[int, "_Server"]]:
    """Serve `behaviour` on 127.0.0.1:<free port> in a thread (TLS with `ssl_context`); yields (port, state)."""
    state = _Server(behaviour or Behaviour())
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    async def start() -> None:
        holder["server"] = await asyncio.start_server(state.handle, "127.0.0.1", 0, backlog=1024, ssl=ssl_context)
        holder["port"] = holder["server"].sockets[0].getsockname()[1]
        ready.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield holder["port"], state
    finally:

        async def shutdown() -> None:
            holder["server"].close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            loop.stop()

        loop.call_soon_threadsafe(lambda: loop.create_task(shutdown()))
        thread.join(5)


def refused_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
