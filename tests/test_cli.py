"""The CLI face: same commands, markdown or JSON out, exit 0 / 1 (over budget) / 2 (bad input)."""

import subprocess
import sys

import orjson
import pytest

from oc_scale_mcp.cli import main


def test_budget_audit_on_the_example_prints_the_table_and_exits_1_over_budget(example_project, capsys):
    code = main(["budget", "--project-dir", str(example_project), "--action", "audit"])
    out = capsys.readouterr().out
    assert code == 1
    assert "| Metric | Budget | Measured | Status |" in out and "❌ fail" in out


def test_within_budget_exits_0(example_project, capsys):
    code = main(
        [
            "budget",
            "--project-dir",
            str(example_project),
            "--budgets",
            '{"js_bundle": "1MB", "page_weight": "2MB"}',
        ]
    )
    assert code == 0, capsys.readouterr().out


def test_json_output_is_the_result_model(example_project, capsys):
    code = main(
        [
            "budget",
            "--project-dir",
            str(example_project),
            "--action",
            "set",
            "--json",
            "--urls",
            "http://127.0.0.1:8787/",
            "--urls",
            "http://127.0.0.1:8787/contacts",
        ]
    )
    result = orjson.loads(capsys.readouterr().out)
    assert code == 0
    assert result["action"] == "set"
    assert result["enforcement"]["lighthouserc"]["ci"]["collect"]["url"] == [
        "http://127.0.0.1:8787/",
        "http://127.0.0.1:8787/contacts",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["checkpoint", "--project-dir", "/no/such/dir"], "does not exist"),
        (["budget", "--budgets", '{"lcp": "soon"}'], "is not a number"),
        (["budget", "--lighthouse-report", "/etc/hostname"], "outside project_dir"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(example_project, capsys, argv, message):
    if "--project-dir" not in argv:
        argv = [*argv, "--project-dir", str(example_project)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_malformed_json_option_is_exit_2(example_project):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "oc_scale_mcp",
            "budget",
            "--budgets",
            "{lcp:",
            "--project-dir",
            str(example_project),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "not valid JSON" in done.stderr


def test_checkpoint_validate_exits_1_on_an_invalid_file(example_project, capsys):
    (example_project / ".checkpoints").mkdir()
    (example_project / ".checkpoints" / "oc-deploy-ops.checkpoint.json").write_text('{"skill": "oc-deploy-ops"}')
    assert main(["checkpoint", "--project-dir", str(example_project), "--action", "validate"]) == 1
    assert "INVALID" in capsys.readouterr().out
