"""Startup benchmark: spawn `oc-scale serve` (stdio), initialize, answer `tools/list`.

The reference in the same run is the SDK's floor: a bare `MCPServer` with one trivial tool, spawned
the same way. Goal (issue #2): under 0.5 s on the 2-core dev machine.

    python bench/startup.py --runs 15
"""

import argparse
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

BARE_SERVER = textwrap.dedent("""
    from mcp.server.mcpserver import MCPServer
    server = MCPServer("bare")
    @server.tool()
    def ping() -> str:
        return "pong"
    server.run()
""")


async def time_once(params: StdioServerParameters) -> tuple[float, int]:
    start = time.perf_counter()
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - start
    return elapsed, len(tools)


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_server.py"
        bare.write_text(BARE_SERVER)
        subjects = {
            "oc-scale serve": StdioServerParameters(command=sys.executable, args=["-m", "oc_scale_mcp", "serve"]),
            "bare MCPServer (reference)": StdioServerParameters(command=sys.executable, args=[str(bare)]),
        }
        results: dict[str, list[float]] = {name: [] for name in subjects}
        for _ in range(runs):  # interleaved, so both see the same machine state
            for name, params in subjects.items():
                elapsed, _count = await time_once(params)
                results[name].append(elapsed)
    ours = statistics.median(results["oc-scale serve"])
    ref = statistics.median(results["bare MCPServer (reference)"])
    print(f"runs: {runs}")
    for name, samples in results.items():
        print(
            f"{name:30s} median {statistics.median(samples) * 1000:7.1f} ms   "
            f"min {min(samples) * 1000:7.1f} ms   max {max(samples) * 1000:7.1f} ms"
        )
    print(f"ratio oc-scale / bare: {ours / ref:.2f}x   goal: < 500 ms -> {'PASS' if ours < 0.5 else 'FAIL'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    anyio.run(main, parser.parse_args().runs)
