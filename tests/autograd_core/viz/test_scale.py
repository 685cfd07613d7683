"""autograd_core.viz.scale: one colour scale for several drawings.

Colours are read from the DOT source (each edge's ``color`` and the gradient
norm its tooltip gives), so most of these tests run without Graphviz; the one
that renders is skipped where ``dot`` is missing.
"""
import math
import re
import shutil

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import viz
from autograd_core.viz import style

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed")

EDGE = re.compile(r'->[^\[]*\[[^\]]*color="(#[0-9a-f]{6})"[^\]]*gradient norm ([^"]+)"')


def edge_colours(drawing):
    """{gradient norm as drawn in the tooltip: edge colour} of a drawing's edges."""
    return {float(n): c for c, n in EDGE.findall(drawing.source)}


def two_leaves(small):
    """``w * 1e-3 + u * small`` after backward: w.grad is 1e-3, u.grad is ``small``."""
    w = ag.tensor(1.0, requires_grad=True, name="w")
    u = ag.tensor(1.0, requires_grad=True, name="u")
    out = w * 1e-3 + u * small
    out.backward()
    return out


def legend_text(drawing):
    """The legend's words, tags dropped."""
    label = re.search(r"\blabel=<(<TABLE.*</TABLE>)>\s*}", drawing.source, re.S).group(1)
    return re.sub(r"<[^>]+>", " ", label).replace("&lt;", "<")


def test_the_same_norm_gets_one_colour_on_a_shared_scale_and_two_without():
    a, b = two_leaves(1.0), two_leaves(1e-12)
    own_a, own_b = viz.draw_graph(a), viz.draw_graph(b)
    assert edge_colours(own_a)[1e-3] != edge_colours(own_b)[1e-3]

    shared_a, shared_b = viz.draw_graphs([a, b])
    assert shared_a.scale == shared_b.scale == viz.ColorScale.spanning(a, b)
    assert edge_colours(shared_a)[1e-3] == edge_colours(shared_b)[1e-3]
    # Two steps: a scale spanning both, given to each drawing.
    sc = viz.ColorScale.spanning(a, b)
    one, two = viz.draw_graph(a, scale=sc), viz.draw_graph(b, scale=sc)
    assert edge_colours(one)[1e-3] == edge_colours(two)[1e-3] == sc.colour(1e-3)
    assert edge_colours(one)[1.0] == style.PALETTE[-1]
    assert edge_colours(two)[1e-12] == style.PALETTE[0]


def test_spanning_gives_what_a_drawing_gets_by_itself():
    a = two_leaves(1e-12)
    assert viz.draw_graph(a).scale == viz.ColorScale.spanning(a)
    assert "colour scale" not in legend_text(viz.draw_graph(a))     # default unchanged
    # From a recording (every gradient, not only the leaves'), and from numbers.
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x.sigmoid() * 1e-5).sum()
    with viz.record_backward() as rec:
        y.backward()
    assert viz.draw_graph(y, gradients=rec).scale == viz.ColorScale.spanning(rec)
    sc = viz.ColorScale.spanning([1e-9, np.array([0.5, 0.0, np.inf])], 2.0)
    assert (sc.low, sc.high) == pytest.approx((1e-13, 10.0))   # 2 decades a bin; 0, inf ignored
    wide = viz.ColorScale.spanning(0.5, min_decades=14)
    assert (wide.low, wide.high) == pytest.approx((1e-14, 1.0))


def test_norms_outside_a_fixed_scale_clip_to_the_end_colours_and_the_legend_says_so():
    sc = viz.ColorScale(1e-2, 1e2)
    assert (sc.low, sc.high) == pytest.approx((1e-2, 1e2))
    assert sc.colour(1e-5) == sc.colour(0.0) == sc.colour(1e-2) == style.PALETTE[0]
    assert sc.colour(1e5) == sc.colour(1e2) == style.PALETTE[-1]
    assert [sc.clipped(n) for n in (1e-5, 1e-2, 1.0, 99.0, 1e2, 1e5)] == [-1, 0, 0, 0, 1, 1]
    assert sc.colour(None) == style.NEUTRAL and sc.colour(math.nan) == style.NONFINITE

    w = ag.tensor(1.0, requires_grad=True, name="w")
    u = ag.tensor(1.0, requires_grad=True, name="u")
    out = w * 1e-5 + u * 1e5
    out.backward()
    d = viz.draw_graph(out, scale=(1e-2, 1e2))
    assert edge_colours(d) == {1e-5: style.PALETTE[0], 1e5: style.PALETTE[-1]}
    text = legend_text(d)
    assert "fixed colour scale: 10⁻² to 10² (log)" in text
    assert "norms below it take the first colour, norms above it the last" in text
    assert "(here: 1 below and 1 above)" in text
    # The colour bar gives each bin's range, the ends included, in numbers.
    assert "10⁻² – 0.037" in text and "27 – 10²" in text and "<" not in text


def test_a_shared_scale_legend_gives_its_range_in_every_drawing():
    a, b = two_leaves(1.0), two_leaves(1e-12)
    for d in viz.draw_graphs([a, b], titles=["A", "B"]):
        text = legend_text(d)
        assert "one colour scale for 2 drawings: 10⁻¹³ to 10¹ (log)" in text
        assert "10⁻¹³ – 10⁻¹¹" in text and "10⁻¹ – 10¹" in text
        assert "here:" not in text                  # it spans them: nothing clipped
    # One graph alone keeps its own scale and legend.
    (alone,) = viz.draw_graphs([a])
    assert alone.scale == viz.draw_graph(a).scale and "colour scale" not in legend_text(alone)


def test_one_recording_of_several_backwards_serves_every_drawing():
    xs = [ag.tensor(2.0, requires_grad=True) for _ in range(2)]
    ys = [(xs[0] * 1e-6).exp(), (xs[1] * 3.0).tanh()]
    with viz.record_backward() as rec:
        for y in ys:
            y.backward()
    da, db = viz.draw_graphs(ys, gradients=rec)
    assert da.scale == db.scale == viz.ColorScale.spanning(rec)
    assert len(edge_colours(db)) == 3               # x -> Mul -> its output -> Tanh
    # A list: a recording, or None for what the tensors hold (here x's .grad).
    da2, db2 = viz.draw_graphs(ys, gradients=[rec, None])
    assert len(edge_colours(db2)) == 1 and da2.scale == db2.scale


@needs_dot
def test_a_page_on_a_shared_scale_colours_like_the_drawings():
    sc = viz.ColorScale(1e-9, 1e5)
    x = ag.tensor(3.0, requires_grad=True, name="x")
    page = viz.backward_html((x * 1e-4).exp(), scale=sc)
    assert page.drawing.scale == sc
    assert "fixed colour scale: 10⁻⁹ to 10⁵ (log)" in page.html
    assert f'"{sc.colour(1e-4)}"' in page.html      # x's row, in its bin's colour
    with pytest.raises(TypeError, match="backward_html: scale must be"):
        viz.backward_html((x * 2).exp(), scale="shared")


@needs_dot
def test_the_legend_range_is_rendered():
    a, b = two_leaves(1.0), two_leaves(1e-12)
    svg = viz.draw_graphs([a, b])[1].pipe(format="svg", encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
    assert any(t.startswith("one colour scale for 2 drawings: 10⁻¹³ to 10¹") for t in texts)
    assert "10⁻¹³ – 10⁻¹¹" in texts


@pytest.mark.parametrize("args, error, words", [
    ((1.0, 0.1), ValueError, "low must be below high, got low=1, high=0.1"),
    ((1.0, 1.0), ValueError, "low must be below high"),
    ((0, 1.0), ValueError, "low must be > 0 (the scale is logarithmic), got 0"),
    ((1e-3, -1), ValueError, "high must be > 0"),
    ((math.nan, 1.0), ValueError, "low must be finite"),
    ((1e-3, math.inf), ValueError, "high must be finite"),
    ((1e-3, "1"), TypeError, "high must be a number (a gradient norm), got str '1'"),
    ((True, 2.0), TypeError, "low must be a number"),
    ((None, 2.0), TypeError, "low must be a number"),
])
def test_bad_colour_scales_say_which_argument(args, error, words):
    with pytest.raises(error, match=re.escape("ColorScale(low, high): " + words)):
        viz.ColorScale(*args)


def test_bad_scale_arguments_of_the_drawing_functions_say_which():
    a = two_leaves(1.0)
    with pytest.raises(TypeError, match=r"draw_graph: scale must be a viz\.ColorScale, a "
                                        r"\(low, high\) pair .* got str 'auto'"):
        viz.draw_graph(a, scale="auto")
    with pytest.raises(TypeError, match="draw_graph: scale must be"):
        viz.draw_graph(a, scale=(1e-3, 1.0, 10.0))
    with pytest.raises(ValueError, match=r"draw_graph: scale=\(low, high\) needs low < high, "
                                         r"got \(1, 0\.1\)"):
        viz.draw_graph(a, scale=(1.0, 0.1))
    with pytest.raises(ValueError, match=r"draw_graphs: scale=\(low, high\): low must be > 0"):
        viz.draw_graphs([a], scale=[0.0, 1.0])
    with pytest.raises(TypeError, match="draw_graph: gradients must be a record_backward"):
        viz.draw_graph(a, gradients=[1.0])


def test_bad_spanning_sources_say_what_is_wrong():
    with pytest.raises(ValueError, match="no gradient norm > 0 found .* run backward"):
        viz.ColorScale.spanning(ag.tensor(1.0, requires_grad=True) * 2)
    with pytest.raises(ValueError, match="no gradient norm"):
        viz.ColorScale.spanning()
    with pytest.raises(TypeError, match="sources must be Tensors, .* got str"):
        viz.ColorScale.spanning("loss")
    with pytest.raises(ValueError, match="min_decades must be an int >= 1, got 0"):
        viz.ColorScale.spanning(1.0, min_decades=0)


def test_bad_draw_graphs_arguments_say_which():
    a, b = two_leaves(1.0), two_leaves(1e-3)
    with pytest.raises(TypeError, match="roots must be a list of Tensors .*draw_graph"):
        viz.draw_graphs(a)
    with pytest.raises(ValueError, match="roots is empty"):
        viz.draw_graphs([])
    with pytest.raises(TypeError, match=r"roots\[1\] must be a Tensor, got ndarray"):
        viz.draw_graphs([a, np.ones(2)])
    with pytest.raises(TypeError, match="gradients must be .* a list of 2 .* got list of 1"):
        viz.draw_graphs([a, b], gradients=[None])
    with pytest.raises(TypeError, match=r"gradients\[0\] must be"):
        viz.draw_graphs([a, b], gradients=["rec", None])
    with pytest.raises(TypeError, match="titles must be one of strings or a list of 2"):
        viz.draw_graphs([a, b], titles=["only one"])
