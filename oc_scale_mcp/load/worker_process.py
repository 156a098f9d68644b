"""Worker process entry: `python -m oc_scale_mcp.load.worker_process`.

Reads a pickled `LoadPlan` from stdin, runs it on uvloop, and writes one JSON message per line to
stdout. SIGTERM asks it to stop early; it still reports what it measured. A plain subprocess (not
`multiprocessing`) so it never re-imports the caller's `__main__`, whatever hosts us.
"""

import pickle
import signal
import sys
import threading


def main() -> None:
    import orjson

    from oc_scale_mcp.load.worker import Worker

    plan = pickle.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def emit(message: dict) -> None:
        out.write(orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS) + b"\n")
        out.flush()

    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop is a dependency
        import asyncio

        runner = asyncio.run
    try:
        runner(Worker(plan, emit, stop.is_set).run())
    except Exception as exc:
        emit({"type": "crash", "worker": plan.worker_index, "error": f"{type(exc).__name__}: {exc}"})
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
