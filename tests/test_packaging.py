"""The distribution as an analyst installs it: built the way the README says (``python -m build``,
a source archive first and the wheel from it), then its contents, its metadata, and the package
importing and running from the unpacked wheel alone.

The build runs without an isolated environment (``--no-isolation``): the backend comes from the
dev extra, so the test needs no index and takes about a second.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

from smstools_tui._version import __version__

pytest.importorskip("build", reason="the dev extra's `build` frontend is not installed")
pytest.importorskip("hatchling", reason="the dev extra's `hatchling` backend is not installed")
trove_classifiers = pytest.importorskip("trove_classifiers")

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (path,) = dist.glob("smstools_tui-*-py3-none-any.whl")
    return path


@pytest.fixture(scope="module")
def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def read(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name).decode("utf-8")


@pytest.fixture(scope="module")
def metadata(wheel: Path, names: set[str]) -> Message:
    (name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
    return Parser().parsestr(read(wheel, name))


def test_the_wheel_holds_the_package_and_nothing_else(names: set[str]) -> None:
    packaged = {name for name in names if ".dist-info/" not in name}
    assert packaged and all(name.startswith("smstools_tui/") for name in packaged)
    # Every file of the package is shipped: its stylesheet and marker files too, not only .py.
    source = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "smstools_tui").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert packaged == source
    assert {"smstools_tui/py.typed", "smstools_tui/tui/app.tcss"} <= packaged
    assert not [
        name
        for name in names
        if name.split("/")[0] in ("tests", "benchmarks", "notebooks", "cassettes")
    ]


def test_the_license_ships_in_the_wheel_and_the_source_archive(
    wheel: Path, names: set[str], dist: Path, metadata: Message
) -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    (licensed,) = [name for name in names if name.endswith(".dist-info/licenses/LICENSE")]
    assert read(wheel, licensed) == license_text
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    (archive,) = dist.glob("smstools_tui-*.tar.gz")
    with tarfile.open(archive) as sdist:
        members = {member.split("/", 1)[1] for member in sdist.getnames() if "/" in member}
    assert {"LICENSE", "README.md", "pyproject.toml", "smstools_tui/py.typed"} <= members
    assert not [name for name in members if name.startswith((".venv/", "dist/"))]


def test_metadata_describes_the_project(metadata: Message) -> None:
    assert metadata["Name"] == "smstools-tui"
    assert metadata["Version"] == __version__
    assert metadata["Requires-Python"] == PROJECT["requires-python"]
    classifiers = metadata.get_all("Classifier") or []
    assert classifiers == PROJECT["classifiers"]
    assert set(classifiers) <= trove_classifiers.classifiers
    assert "Typing :: Typed" in classifiers
    # The oldest Python the classifiers name is the one requires-python allows.
    versions = [c.rsplit(" :: ", 1)[1] for c in classifiers if c.count(" :: ") == 2 and
                c.startswith("Programming Language :: Python :: 3.")]  # fmt: skip
    assert min(versions, key=lambda v: tuple(map(int, v.split(".")))) == "3.11"
    assert PROJECT["requires-python"] == ">=3.11"
    # Project links point where the README itself points, not at a made-up host.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = metadata.get_all("Project-URL") or []
    assert links
    for link in links:
        url = link.split(", ", 1)[1]
        assert url.startswith("https://") and url in readme, link
    assert metadata["Description-Content-Type"] == "text/markdown"


def test_the_console_script_is_declared(wheel: Path, names: set[str]) -> None:
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    assert read(wheel, entry_points).split() == [
        "[console_scripts]", "smstools-tui", "=", "smstools_tui.cli:main",
    ]  # fmt: skip


def test_the_unpacked_wheel_imports_and_runs_alone(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    # The unpacked wheel goes first on the path, before this checkout's editable install.
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import smstools_tui, smstools_tui.tui.app as app\n"
        "from pathlib import Path\n"
        "assert Path(smstools_tui.__file__).is_relative_to(sys.argv[1]), smstools_tui.__file__\n"
        "assert (Path(app.__file__).parent / app.DashboardApp.CSS_PATH).is_file()\n"
        "from smstools_tui.cli import main\n"
        "main(['--version'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(unpacked)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["smstools-tui,", "version", __version__]
