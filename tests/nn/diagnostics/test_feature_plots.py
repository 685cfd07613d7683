"""plot_filters and plot_feature_maps: figures with the expected panels, and no hooks
left behind."""
import io

import numpy as np
import pytest

import nn
from nn.diagnostics import plot_feature_maps, plot_filters

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402


def _convnet():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, seed=0), nn.BatchNorm2d(4), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1, seed=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3, seed=2))


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def _no_hooks(model):
    return all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_plot_filters_one_input_channel():
    conv = nn.Conv2d(1, 6, 3, seed=0)
    fig = plot_filters(conv)
    assert isinstance(fig, Figure)
    panels = _image_axes(fig)
    assert len(panels) == 6
    assert [ax.get_title() for ax in panels] == [f"filter {i}" for i in range(6)]
    title = fig._suptitle.get_text()
    assert "(6, 1, 3, 3)" in title and "single input channel" in title
    # one colour bar, shared symmetric scale
    assert len(fig.axes) == 6 + 1
    limits = {im.get_clim() for ax in panels for im in ax.images}
    assert len(limits) == 1
    lo, hi = limits.pop()
    assert lo == -hi and hi == pytest.approx(np.abs(conv.weight.data).max())
    assert any(ax.get_ylabel() == "weight value" for ax in fig.axes)
    fig.savefig(io.BytesIO(), format="png")


def test_plot_filters_several_input_channels_and_max_filters():
    conv = nn.Conv2d(3, 20, 5, seed=1)
    fig = plot_filters(conv, max_filters=10)
    panels = _image_axes(fig)
    assert len(panels) == 10
    title = fig._suptitle.get_text()
    assert "mean over the 3 input channels" in title
    assert "(20, 3, 5, 5)" in title and "first 10 of 20" in title
    np.testing.assert_allclose(panels[2].images[0].get_array(),
                               conv.weight.data[2].astype(np.float64).mean(axis=0), rtol=1e-6,
                               atol=1e-7)


@pytest.mark.parametrize("layer", [nn.Linear(4, 2, seed=0), nn.ReLU(), nn.MaxPool2d(2)])
def test_plot_filters_rejects_other_layers(layer):
    with pytest.raises(TypeError, match="expected an nn.Conv2d layer, got"):
        plot_filters(layer)


def test_plot_feature_maps_default_layers():
    model = _convnet()
    model.train()
    x = np.random.default_rng(0).random((1, 1, 8, 8)).astype(np.float32)
    fig = plot_feature_maps(model, x, max_maps=4)
    assert isinstance(fig, Figure)
    # rows: input, 0 Conv2d, 2 ReLU, 3 MaxPool2d, 4 Conv2d, 5 ReLU, 6 AdaptiveAvgPool2d
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert labels[0].startswith("input") and "(1, 1, 8, 8)" in labels[0]
    names = [label.split("\n")[0] for label in labels[1:]]
    assert names == ["0 (Conv2d)", "2 (ReLU)", "3 (MaxPool2d)", "4 (Conv2d)", "5 (ReLU)",
                     "6 (AdaptiveAvgPool2d)"]
    assert "(1, 4, 4, 4)" in labels[3] and "(1, 6, 1, 1)" in labels[6]
    # input: 1 panel; the layers: min(4, channels) each
    assert len(_image_axes(fig)) == 1 + 4 + 4 + 4 + 4 + 4 + 4
    assert model.training                       # mode restored
    assert _no_hooks(model)


def test_plot_feature_maps_chosen_layers_and_chw_input():
    model = _convnet()
    model.eval()
    x = np.random.default_rng(1).random((1, 8, 8)).astype(np.float32)
    fig = plot_feature_maps(model, x, layers=["4", "7"], max_maps=8)
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert [lab.split("\n")[0] for lab in labels] == ["input", "4 (Conv2d)", "7 (Flatten)"]
    assert len(_image_axes(fig)) == 1 + 6 + 1
    assert not model.training
    assert _no_hooks(model)


def test_plot_feature_maps_several_input_channels():
    model = nn.Sequential(nn.Conv2d(3, 5, 3, padding=1, seed=0), nn.ReLU())
    x = np.random.default_rng(2).random((1, 3, 6, 6)).astype(np.float32)
    fig = plot_feature_maps(model, x)
    assert len(_image_axes(fig)) == 3 + 5 + 5
    assert _no_hooks(model)


def test_plot_feature_maps_removes_hooks_when_forward_fails():
    model = _convnet()
    x = np.zeros((1, 2, 8, 8), np.float32)           # wrong channel count
    with pytest.raises(ValueError, match="channels"):
        plot_feature_maps(model, x)
    assert _no_hooks(model)


def test_plot_feature_maps_argument_errors():
    model = _convnet()
    with pytest.raises(ValueError, match="one image"):
        plot_feature_maps(model, np.zeros((2, 1, 8, 8), np.float32))
    with pytest.raises(ValueError, match="no module named"):
        plot_feature_maps(model, np.zeros((1, 1, 8, 8), np.float32), layers=["nope"])
    with pytest.raises(ValueError, match="max_maps"):
        plot_feature_maps(model, np.zeros((1, 1, 8, 8), np.float32), max_maps=0)
    assert _no_hooks(model)
