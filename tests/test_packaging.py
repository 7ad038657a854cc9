"""The package finds its bundled instruments both as an editable install and as a built wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_editable_install_finds_instruments_and_cli() -> None:
    """recoverycap.instruments and recoverycap.cli map to the top-level instruments/ and cli/ folders."""
    import recoverycap.cli
    from recoverycap.registry import bundled_dir

    assert (bundled_dir() / "barc10.toml").is_file()
    assert Path(recoverycap.cli.__file__).resolve().parent == ROOT / "cli"


@pytest.mark.slow
def test_built_wheel_installs_and_finds_instruments(tmp_path: Path) -> None:
    """A non-editable install of the built wheel, in a fresh virtual environment, lists the bundled
    instruments and batteries from its own site-packages (not from this checkout)."""
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("recoverycap-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "recoverycap/instruments/barc10.toml" in names
    assert "recoverycap/instruments/batteries/intake.toml" in names
    assert "recoverycap/instruments/NOTICE-proqol5.txt" in names
    assert "recoverycap/data/schedule.toml" in names
    assert "recoverycap/cli/__init__.py" in names
    assert not any(n.endswith(".text.toml") for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--no-deps",
            "--quiet",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import recoverycap, recoverycap.cli; from recoverycap.registry import bundled_dir, Library;"
        "print(recoverycap.__file__); print(bundled_dir()); lib = Library(include_env=False);"
        "print(','.join(lib.ids())); print(','.join(b.id for b in lib.batteries()))"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RECOVERYCAP_INSTRUMENTS")
    }
    out = subprocess.run(
        [str(py), "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path, env=env
    )
    module_file, folder, ids, batteries = out.stdout.strip().splitlines()
    assert "intake" in batteries.split(",")
    assert str(env_dir) in module_file, module_file
    assert str(env_dir) in folder and Path(folder, "barc10.toml").is_file()
    assert "barc10" in ids.split(",")
    cli = subprocess.run(
        [str(py), "-m", "recoverycap", "instruments", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert cli.returncode == 0 and "barc10" in cli.stdout
