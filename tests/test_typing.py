"""autograd_core and nn type-check with mypy (settings: pyproject.toml, [tool.mypy]).

The public API is annotated and both packages ship a ``py.typed`` marker, so a
user's type checker reads these annotations.
"""
import hashlib
import importlib.util
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _cache_dir():
    """Kept between runs (a warm run takes seconds, a cold one about half a minute)."""
    venv = ROOT / ".venv"
    if venv.is_dir() and os.access(venv, os.W_OK):
        return venv / ".mypy_cache"
    key = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    return pathlib.Path(tempfile.gettempdir()) / f"autograd-core-mypy-{key}"


def test_mypy_passes():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it comes with the 'test' extra: "
                    "pip install -e '.[test]')")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(_cache_dir())],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"mypy found problems:\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("package", ["autograd_core", "nn"])
def test_packages_ship_py_typed(package):
    assert (ROOT / package / "py.typed").is_file()
