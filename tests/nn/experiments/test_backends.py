"""The same tasks give the same numbers, bit for bit, in this process, in joblib
worker processes and on a Dask LocalCluster."""
import pytest

from nn.experiments import load_results, run

from .conftest import comparable


def test_joblib_processes_match_this_process(tiny_run, tmp_path):
    pytest.importorskip("joblib")
    here_out, _ = tiny_run
    result = run(mode="tiny", out_dir=str(tmp_path), jobs=2, progress=False,
                 figures=False, echo=None)
    assert not result.failures and result.ran == result.total
    workers = {r["worker"] for r in _records(tmp_path)}
    assert len(workers) >= 1 and all(":" in w for w in workers)
    assert comparable(load_results(tmp_path)) == comparable(load_results(here_out))


def test_dask_local_cluster_matches_joblib(tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("joblib")
    names = ["deep_relu", "thousand_layers"]
    a = run(names, mode="tiny", out_dir=str(tmp_path / "joblib"), jobs=2, progress=False,
            figures=False, echo=None)
    b = run(names, mode="tiny", out_dir=str(tmp_path / "dask"), dask_local=2,
            progress=False, figures=False, echo=None)
    assert not a.failures and not b.failures and a.total == b.total == b.ran
    rows_a, rows_b = load_results(tmp_path / "joblib"), load_results(tmp_path / "dask")
    assert comparable(rows_a) == comparable(rows_b)
    # Not trivially equal: the runs trained and measured something.
    assert len({r["train_loss"] for r in rows_b if r["kind"] == "step"}) > 10


def _records(out):
    from nn.experiments.store import read_records
    return read_records(out)
