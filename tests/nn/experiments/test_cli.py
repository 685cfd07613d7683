"""The command line on tiny grids: result files, skipping finished tasks, resuming
after a kill, figures, the summary and the report stub."""
import json
import os
import signal
import time

import pytest

from nn.experiments import cli, load_results, registry
from nn.experiments.store import tasks_dir

from .conftest import cli as start_cli
from .conftest import comparable, finish

COMMON = {"experiment", "task_id", "config", "seed", "lr", "mode", "dataset", "kind",
          "step", "best_lr", "selected"}
FINAL = {"train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc",
         "diverged", "steps_budget", "time_s", "time_per_step_s"}


def _task_files(out):
    folder = tasks_dir(out)
    return sorted(n for n in os.listdir(folder) if n.endswith(".json")) \
        if os.path.isdir(folder) else []


def test_run_writes_one_file_per_task_with_the_expected_fields(tiny_run):
    out, result = tiny_run
    assert result.total == result.ran > 0 and not result.failures
    files = _task_files(out)
    assert len(files) == result.total
    with open(os.path.join(tasks_dir(out), files[0])) as f:
        record = json.load(f)
    assert set(record) >= {"format", "task", "rows", "elapsed_s", "worker"}
    assert files[0] == f"{record['task']['experiment']}-{record['task']['id']}.json"

    rows = load_results(out)
    assert {r["experiment"] for r in rows} == set(registry.names())
    for row in rows:
        assert COMMON <= set(row), row
        assert row["mode"] == "tiny" and row["dataset"] == "digits"
        json.dumps(row, allow_nan=False)          # plain JSON values only
    finals = [r for r in rows if r["kind"] == "final"]
    assert len(finals) == result.total            # one per task
    for row in finals:
        assert FINAL <= set(row), row
    steps = [r for r in rows if r["kind"] == "step"]
    assert steps and all("train_loss" in r for r in steps)
    assert any("val_acc" in r for r in steps)
    layers = [r for r in rows if r["kind"] == "layer"]
    assert layers and all(r["experiment"] == "degradation" and r["response_std"] > 0
                          for r in layers)
    gated = [r for r in finals if r["experiment"] == "thousand_layers"
             and r["arch"] == "gated"]
    assert gated and all("gate_abs_mean" in r for r in gated)


def test_run_draws_every_figure(tiny_run):
    pytest.importorskip("matplotlib")
    out, result = tiny_run
    names = {os.path.basename(p) for p in result.figure_paths}
    assert names == {"gradient_flow-layers.png", "gradient_flow-ratio.png",
                     "saturation-sigmoid.png", "saturation-tanh.png",
                     "deep_relu-loss.png", "deep_relu-lr_grid.png",
                     "batchnorm-accuracy.png", "batchnorm-preact.png",
                     "degradation-depth.png", "degradation-responses.png",
                     "thousand_layers-training.png"}
    assert all(os.path.getsize(p) > 1000 for p in result.figure_paths)


def test_rerun_skips_finished_tasks(tiny_run, capsys):
    out, result = tiny_run
    before = {n: os.stat(os.path.join(tasks_dir(out), n)).st_mtime_ns
              for n in _task_files(out)}
    code = cli.main(["run", "--tiny", "--out", str(out), "--no-progress", "--no-figures"])
    text = capsys.readouterr().out
    assert code == 0
    assert f"{result.total} already finished, running 0" in text
    assert "0 tasks run" in text
    assert "experiment" in text and "test acc" in text        # the summary table
    after = {n: os.stat(os.path.join(tasks_dir(out), n)).st_mtime_ns
             for n in _task_files(out)}
    assert after == before


def test_killed_run_resumes_and_completes(tiny_run, tmp_path):
    full_out, full = tiny_run
    out = tmp_path / "killed"
    proc = start_cli("run", "--out", str(out), "--no-progress", "--no-figures",
                     start_new_session=True)
    deadline = time.monotonic() + 60
    while not _task_files(out) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)                  # a process this test started
    proc.communicate(timeout=30)
    done = len(_task_files(out))
    assert 0 < done < full.total, f"{done} of {full.total} tasks finished before the kill"

    out_text, _ = finish(start_cli("run", "--out", str(out), "--no-progress",
                                   "--no-figures"))
    assert f"{done} already finished, running {full.total - done}" in out_text
    assert len(_task_files(out)) == full.total
    # The interrupted-then-resumed run holds the same numbers as the uninterrupted one.
    assert comparable(load_results(out)) == comparable(load_results(full_out))


def test_list_names_every_experiment(capsys):
    assert cli.main(["list"]) == 0
    text = capsys.readouterr().out
    for name in registry.names():
        assert name in text


def test_unknown_experiment_is_an_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--only", "no_such_experiment", "--tiny"])
    assert exc.value.code == 2
    assert "no_such_experiment" in capsys.readouterr().err


def test_report_without_the_report_module_says_so(tmp_path, capsys, monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "nn.experiments.report"
                        else real(name, *a))
    assert cli.main(["report", str(tmp_path)]) == 2
    assert "report is not available" in capsys.readouterr().err
