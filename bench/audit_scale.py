"""How long `audit` takes: the bundled example, then generated repositories of growing size.

Goals (issue #6): the example in under 3 s; a 5,000-file repository in under 30 s.

    python bench/audit_scale.py --sizes 1000 2500 5000
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queries_scale import generate

from oc_scale_mcp.commands.audit import AuditParams, run
from oc_scale_mcp.commands.spec import no_progress

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "crm-worker"


async def timed(project: Path) -> tuple[float, str, int]:
    start = time.perf_counter()
    result = await run(AuditParams(project_dir=str(project), current_dau=300), no_progress)
    return time.perf_counter() - start, result.grade, len(result.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2500, 5000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "crm-worker"
        shutil.copytree(EXAMPLE, copy)
        seconds, grade, findings = anyio.run(timed, copy)
        print(f"examples/crm-worker: {seconds:.2f} s (grade {grade}, {findings} findings)")
        for files in args.sizes:
            root = Path(tmp) / f"app{files}"
            root.mkdir()
            generate(root, files, files // 5)
            (root / "wrangler.toml").write_text(
                'name = "gen"\ncompatibility_date = "2026-01-01"\n'
                '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "x"\n'
                'database_id = "x"\n'
            )
            seconds, grade, findings = anyio.run(timed, root)
            print(
                f"{files:>5} files, {files // 5:>4} queries: {seconds:6.2f} s ({seconds / files * 1000:.2f} ms/file, "
                f"grade {grade}, {findings} findings)"
            )


if __name__ == "__main__":
    main()
