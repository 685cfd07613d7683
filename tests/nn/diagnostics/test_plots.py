"""The plot functions return titled, labelled Matplotlib figures."""
import io

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn import optim
from nn.diagnostics import (GradientMonitor, plot_gradient_norms, plot_histograms,
                            plot_percentiles, plot_update_ratios)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402


@pytest.fixture(scope="module")
def mon():
    model = nn.MLP([3, 8, 8, 8, 2], activation="sigmoid", seed=0)
    mon = GradientMonitor(model, every=2, histogram_steps=(0, 4))
    rng = np.random.default_rng(0)
    opt = optim.SGD(model.parameters(), lr=0.5)
    for _ in range(6):
        x = ag.tensor(rng.standard_normal((16, 3)).astype(np.float32))
        loss = F.cross_entropy(model(x), ag.tensor(rng.integers(0, 2, 16)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        mon.step()
    mon.remove()
    return mon


def check(fig):
    assert isinstance(fig, Figure)
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert visible
    for ax in visible:
        assert title or ax.get_title()
        assert ax.get_xlabel() and ax.get_ylabel()
    fig.savefig(io.BytesIO(), format="png")   # renders without error
    return visible


def test_plot_gradient_norms(mon):
    ax, = check(plot_gradient_norms(mon))
    assert ax.get_yscale() == "log"
    assert "step 0" in ax.get_title()
    assert "step 4" in plot_gradient_norms(mon, step=4).axes[0].get_title()
    assert len(ax.get_lines()) == 2          # output gradients and weight gradients
    with pytest.raises(ValueError, match="not recorded"):
        plot_gradient_norms(mon, step=1)


@pytest.mark.parametrize("kind", ["activation", "gradient"])
def test_plot_histograms(mon, kind):
    ax, = check(plot_histograms(mon, 4, kind=kind))
    assert len(ax.patches) == len(mon.layers)      # one outline per layer
    with pytest.raises(ValueError, match="no .* histograms at step 2"):
        plot_histograms(mon, 2, kind=kind)
    with pytest.raises(ValueError, match="kind"):
        plot_histograms(mon, 4, kind="weights")
    sigmoids = [layer for layer in mon.layers if mon.kind(layer) == "sigmoid"]
    ax, = check(plot_histograms(mon, 0, kind=kind, layers=sigmoids))
    assert len(ax.patches) == 3
    with pytest.raises(ValueError, match="none of the layers"):
        plot_histograms(mon, 0, kind=kind, layers=["layers.99"])


def test_plot_percentiles(mon):
    axes = check(plot_percentiles(mon))
    assert len(axes) == len(mon.layers)
    ax, = check(plot_percentiles(mon, layer="layers.5"))
    assert ax.get_title() == "layers.5"
    assert len(ax.get_lines()) == 4
    with pytest.raises(ValueError, match="not a monitored layer"):
        plot_percentiles(mon, layer="layers.77")


def test_plot_update_ratios(mon):
    ax, = check(plot_update_ratios(mon))
    assert ax.get_yscale() == "log"
    guide = [line for line in ax.get_lines() if line.get_label() == "1e-3 guide"]
    assert guide and guide[0].get_ydata()[0] == 1e-3
    # 4 weight matrices, and the guide.
    assert len(ax.get_lines()) == 5
    assert len(plot_update_ratios(mon, include_bias=True).axes[0].get_lines()) == 9


def test_plot_gradient_norms_needs_a_recorded_step():
    with GradientMonitor(nn.MLP([2, 3, 2], seed=0)) as empty:
        with pytest.raises(ValueError, match="no gradient"):
            plot_gradient_norms(empty)
