"""Fixtures for the experiment-runner tests: one tiny run shared by the module."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("sklearn")          # the digits

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def cli(*args, env=None, **kwargs):
    """Start ``python -m nn.experiments ARGS`` (tiny grids) from the repository root."""
    full_env = {**os.environ, "NN_EXPERIMENTS_TINY": "1", **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "nn.experiments", *args], cwd=REPO,
                            env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kwargs)


def finish(proc, timeout=120):
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    return out, err


def comparable(rows):
    """Rows without wall-clock fields (keys ending in ``_s``), in a fixed order."""
    cleaned = [{k: v for k, v in r.items() if not k.endswith("_s")} for r in rows]
    return sorted(cleaned, key=lambda r: (r["task_id"], r["kind"], r["step"],
                                          r.get("layer", 0)))


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A complete tiny run of every experiment, in this process: (out_dir, RunResult)."""
    from nn.experiments import run
    out = tmp_path_factory.mktemp("tiny_run")
    result = run(mode="tiny", out_dir=str(out), jobs=1, progress=False, echo=None)
    return out, result
