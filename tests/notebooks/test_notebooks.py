"""The notebooks in notebooks/ run top to bottom, as committed, without an error.

Each is executed in a temporary copy (the committed file, with its outputs, is
left alone) by a Jupyter kernel through nbclient, with the working directory
set to notebooks/. Also checked: the committed file has its outputs (it reads
well on a code host without running) and stays under 2 MB.
"""
import os
import shutil
import time
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
MAX_BYTES = 2 * 1024 * 1024
MAX_SECONDS = 120          # per notebook, on 2 cores (the budget)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is not installed")
    pytest.importorskip("ipykernel", reason="the notebooks extra is not installed")
    nb = nbformat.read(path, as_version=4)
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("outputs") is not None for c in code)
    assert any(c.outputs for c in code), f"{path.name} was committed without its outputs"
    # Run a copy in notebooks/ itself (relative paths work), writing nothing back.
    work = tmp_path / path.name
    shutil.copy(path, work)
    env_before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    start = time.perf_counter()
    try:
        client = nbclient.NotebookClient(nbformat.read(work, as_version=4), timeout=600,
                                         kernel_name="python3",
                                         resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    finally:
        if env_before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_before
    seconds = time.perf_counter() - start
    assert seconds < MAX_SECONDS, f"{path.name} took {seconds:.0f} s (budget {MAX_SECONDS} s)"


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
