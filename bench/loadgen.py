"""Load-generator benchmark: the builtin engine vs wrk vs hey against nginx on loopback, same run.

nginx serves a small static file with keep-alive; nginx is pinned to core 0 and each generator to
core 1 (taskset), one after the other, so each gets one core and the server the other. Reported per
generator: requests/s, client CPU seconds per 1,000 requests (from getrusage of the generator's
processes, so it includes their start-up), peak RSS, and ratios against wrk.

    python bench/loadgen.py --duration 10 --connections 50
    python bench/loadgen.py --memory-requests 10000000     # the flat-memory check (a long run)
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    server {{
        listen 127.0.0.1:{port} reuseport backlog=4096;
        root {root}/www;
        location / {{ }}
    }}
}}
"""


def start_nginx(root: Path, port: int) -> subprocess.Popen:
    (root / "www").mkdir()
    (root / "www" / "index.html").write_text("<html><body>" + "hello " * 20 + "</body></html>\n")
    (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, port=port))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen(["taskset", "-c", "0", nginx, "-c", str(root / "nginx.conf"), "-p", str(root)])
    time.sleep(0.5)
    return process


def children_usage() -> tuple[float, int]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def run_measured(args: list[str]) -> tuple[str, float, float]:
    cpu0, _ = children_usage()
    start = time.perf_counter()
    done = subprocess.run(["taskset", "-c", "1", *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    cpu1, _ = children_usage()
    return done.stdout, cpu1 - cpu0, wall


def bench_wrk(url: str, connections: int, duration: int) -> dict:
    out, cpu, _ = run_measured(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", url])
    requests = int(out.split(" requests in ")[0].split()[-1])
    rps = float(out.split("Requests/sec:")[1].split()[0])
    return {"requests": requests, "rps": rps, "cpu_s": cpu}


def bench_hey(url: str, connections: int, duration: int) -> dict:
    out, cpu, _ = run_measured(["hey", "-c", str(connections), "-z", f"{duration}s", url])
    rps = float(out.split("Requests/sec:")[1].split()[0])
    statuses = sum(int(n) for n in __import__("re").findall(r"\[\d{3}\]\s+(\d+) responses", out))
    return {"requests": statuses, "rps": rps, "cpu_s": cpu}


def builtin_args(url: str, connections: int, duration: int, requests: int | None = None) -> list[str]:
    """The `oc-scale loadtest` command line for one worker, bounded by duration or by a request count."""
    args = [
        sys.executable,
        "-m",
        "oc_scale_mcp",
        "loadtest",
        "--project-dir",
        tempfile.mkdtemp(),
        "--url",
        url,
        "--connections",
        str(connections),
        "--workers",
        "1",
        "--json",
        "--thresholds",
        "[]",
    ]
    bound = ["--requests", str(requests), "--duration-s", "3600"] if requests else ["--duration-s", str(duration)]
    return args + bound


def bench_builtin(url: str, connections: int, duration: int) -> dict:
    args = builtin_args(url, connections, duration)
    out, cpu, _ = run_measured(args)
    run = json.loads(out)["run"]
    return {
        "requests": run["requests"],
        "rps": run["rps"],
        "cpu_s": cpu,
        "p99_ms": run["latency"]["p99_ms"],
        "errors": sum(run["errors"].values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--memory-requests", type=int, default=0, help="Only run the flat-memory check.")
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}/index.html"
    with tempfile.TemporaryDirectory() as tmp:
        nginx = start_nginx(Path(tmp), args.port)
        try:
            if args.memory_requests:
                memory_check(url, args.connections, args.memory_requests)
                return
            results = {
                "wrk": bench_wrk(url, args.connections, args.duration),
                "oc-scale builtin": bench_builtin(url, args.connections, args.duration),
                "hey": bench_hey(url, args.connections, args.duration),
            }
        finally:
            nginx.terminate()
            nginx.wait()
    wrk = results["wrk"]
    wrk_cpu_per_k = wrk["cpu_s"] / wrk["requests"] * 1000
    print(f"nginx on core 0, generator on core 1; {args.connections} connections, {args.duration} s each")
    print(f"{'generator':18s} {'req/s':>10s} {'vs wrk':>7s} {'CPU per req':>14s} {'vs wrk':>7s}")
    for name, r in results.items():
        cpu_per_k = r["cpu_s"] / r["requests"] * 1000 if r["requests"] else float("nan")
        print(
            f"{name:18s} {r['rps']:>10,.0f} {r['rps'] / wrk['rps']:>6.2f}x {cpu_per_k * 1000:>12.1f}µs "
            f"{cpu_per_k / wrk_cpu_per_k:>6.2f}x"
        )


def memory_check(url: str, connections: int, requests: int) -> None:
    """Run `requests` requests through the builtin engine and report the worker's peak RSS."""
    args = builtin_args(url, connections, 0, requests)
    start = time.perf_counter()
    done = subprocess.run(["taskset", "-c", "1", *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    _, peak_kb = children_usage()
    run = json.loads(done.stdout)["run"]
    print(
        f"{run['requests']:,} requests in {wall:.0f} s ({run['rps']:,.0f} req/s); peak RSS of the largest "
        f"generator process: {peak_kb / 1024:.0f} MB (goal < 150 MB)"
    )


if __name__ == "__main__":
    os.environ.setdefault("OC_SCALE_MAX_DURATION_S", "3600")
    main()
