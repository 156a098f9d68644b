"""Tools never read or write outside project_dir."""

import os

import pytest

from oc_scale_mcp.core.errors import ProjectError
from oc_scale_mcp.core.project import Project


def test_a_missing_project_dir_is_a_clear_error(tmp_path):
    with pytest.raises(ProjectError, match="does not exist"):
        Project.open(tmp_path / "nope")


def test_a_file_is_not_a_project(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ProjectError, match="is a file"):
        Project.open(tmp_path / "f")


def test_paths_inside_resolve(tmp_path):
    (tmp_path / "dist").mkdir()
    assert Project.open(tmp_path).resolve("dist") == (tmp_path / "dist").resolve()


@pytest.mark.parametrize("escape", ["../outside.json", "/etc/passwd", "dist/../../outside.json"])
def test_dot_dot_and_absolute_paths_outside_are_refused(tmp_path, escape):
    project = tmp_path / "app"
    (project / "dist").mkdir(parents=True)
    (tmp_path / "outside.json").write_text("{}")
    with pytest.raises(ProjectError, match="outside project_dir"):
        Project.open(project).resolve(escape)


def test_a_symlink_pointing_outside_is_refused(tmp_path):
    project = tmp_path / "app"
    project.mkdir()
    (tmp_path / "secret.json").write_text("{}")
    os.symlink(tmp_path / "secret.json", project / "report.json")
    with pytest.raises(ProjectError, match="outside project_dir"):
        Project.open(project).resolve("report.json")
