"""Batch normalisation: which layer is watched, the rows, text that follows the
numbers, and titled, labelled figures."""
import pytest

from nn.experiments import batchnorm as bn

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def tiny_rows():
    rows = []
    for config in bn.grid("tiny")["configs"]:
        config = {**config, "dataset": "digits"}
        for row in bn.run_task(config, 0, 0.1, "tiny"):
            rows.append({**config, "config": config["label"], "seed": 0, "lr": 0.1,
                         "experiment": bn.NAME, **row})
    return rows


def test_rows_watch_the_last_sigmoid_input(tiny_rows):
    config = bn.grid("tiny")["configs"][0]
    modules = {r["config"]: r["module"] for r in tiny_rows if r["kind"] == "preact"}
    # MLP layers: Linear, Sigmoid, ... (without) / Linear, BatchNorm1d, Sigmoid, ... (with).
    assert modules == {"without batch norm": "layers.4", "with batch norm": "layers.7"}
    for label in modules:
        pre = [r for r in tiny_rows if r["kind"] == "preact" and r["config"] == label]
        assert [r["step"] for r in pre] == list(range(0, config["steps"],
                                                      config["record_every"]))
        assert all(r["p15"] <= r["p50"] <= r["p85"] for r in pre)
        tests = [r for r in tiny_rows if r["kind"] == "test" and r["config"] == label]
        assert [r["step"] for r in tests] == [3, 6]
        assert all(0 <= r["test_acc"] <= 1 for r in tests)


def test_describe_follows_the_numbers(tiny_rows):
    text = " ".join(bn.describe(tiny_rows))
    fake = [dict(r) for r in tiny_rows]
    for r in fake:
        if r["kind"] == "test":
            r["test_acc"] = 0.95 if r["config"] == "with batch norm" else 0.5
        if r["kind"] == "preact" and r["config"] == "without batch norm":
            r["p50"] = 3.0 * r["step"]
    other = " ".join(bn.describe(fake))
    assert other != text
    assert "95.0% test accuracy" in other and "first above 90% at step 3" in other
    assert "never above 90%" in other and "to 12.00" in other
    assert "batch norm trained faster and kept the distribution steadier" in other


def test_figures_have_titles_and_labels(tiny_rows):
    pytest.importorskip("matplotlib")
    figs = bn.figures(tiny_rows)
    assert set(figs) == {"accuracy", "preact"}
    assert len(figs["preact"].axes) == 2
    for fig in figs.values():
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.lines
