"""Saturation during training: activation rows per hidden layer, text that follows
the numbers, and titled, labelled figures."""
import pytest

from nn.experiments import saturation as sat

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def tiny_rows():
    rows = []
    for config in sat.grid("tiny")["configs"]:
        config = {**config, "dataset": "digits"}
        for row in sat.run_task(config, 0, 0.1, "tiny"):
            rows.append({**config, "config": config["label"], "seed": 0, "lr": 0.1,
                         "experiment": sat.NAME, **row})
    return rows


def test_activation_rows_cover_every_layer_and_recorded_step(tiny_rows):
    config = sat.grid("tiny")["configs"][0]
    for activation in ("sigmoid", "tanh"):
        acts = [r for r in tiny_rows if r["kind"] == "activation"
                and r["activation"] == activation]
        assert {r["layer"] for r in acts} == {1, 2, 3, 4}
        assert sorted({r["step"] for r in acts}) == list(
            range(0, config["steps"], config["record_every"]))
        lo, hi = (0, 1) if activation == "sigmoid" else (-1, 1)
        assert all(lo <= r["act_mean"] <= hi and r["act_std"] >= 0 for r in acts)
    assert len([r for r in tiny_rows if r["kind"] == "final"]) == 2


def test_describe_follows_the_numbers(tiny_rows):
    text = " ".join(sat.describe(tiny_rows))
    assert "layer 4" in text
    fake = [dict(r) for r in tiny_rows]
    for r in fake:
        if r["kind"] == "activation" and r["activation"] == "sigmoid" and r["layer"] == 4:
            r["act_mean"] = 0.02 if r["step"] == 2 else 0.5
        if r["kind"] == "activation" and r["activation"] == "tanh":
            r["act_p98"] = 0.99
    other = " ".join(sat.describe(fake))
    assert other != text
    assert "0.020, at step 2" in other and "below 0.1 by step 2" in other
    assert "left saturation again (back above 0.1) at step 4" in other
    assert "passed 0.97 (saturation) at step 0 in layer 1, 0 in layer 2" in other
    assert "from the first layer up, as in the paper" in other
    for r in fake:
        if r["kind"] == "activation" and r["activation"] == "sigmoid":
            r["act_mean"] = 0.45
    assert "never came near 0 (lowest 0.45)" in " ".join(sat.describe(fake))


def test_figures_have_titles_and_labels(tiny_rows):
    pytest.importorskip("matplotlib")
    figs = sat.figures(tiny_rows)
    assert set(figs) == {"sigmoid", "tanh"}
    for fig in figs.values():
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert len(ax.lines) == 4
