"""Gradient flow at initialisation: the contract, the vanishing sigmoid gradient,
text that follows the numbers, and titled, labelled figures."""
import pytest

from nn.experiments import gradient_flow as gf

pytest.importorskip("sklearn")


def _rows(module, quick, keep=lambda c: True, seeds=(0,)):
    rows = []
    for config in module.grid(quick)["configs"]:
        if not keep(config):
            continue
        config = {**config, "dataset": "digits"}
        for seed in seeds:
            for row in module.run_task(config, seed, None, quick):
                rows.append({**config, "config": config["label"], "seed": seed,
                             "experiment": module.NAME, **row})
    return rows


@pytest.fixture(scope="module")
def tiny_rows():
    return _rows(gf, "tiny")


def test_grid_has_no_learning_rate_and_every_scheme():
    for quick in (False, True, "tiny"):
        g = gf.grid(quick)
        assert g["lrs"] == [None]
        assert {c["scheme"] for c in g["configs"]} == set(gf.SCHEMES)
    assert sorted({c["depth"] for c in gf.grid(False)["configs"]}) == [5, 10, 20, 50]


def test_rows_hold_every_linear_layer_and_the_ratio(tiny_rows):
    for (_label,), group in gf.by(tiny_rows, "config").items():
        depth = group[0]["depth"]
        layers = [r for r in group if r["kind"] == "gradient"]
        assert [r["layer"] for r in layers] == list(range(1, depth + 2))
        assert all(r["grad_norm"] > 0 and r["out_grad_norm"] > 0 for r in layers)
        (ratio,) = [r for r in group if r["kind"] == "final"]
        assert ratio["ratio"] == pytest.approx(layers[0]["grad_norm"] / layers[-1]["grad_norm"])
    jac = [r for r in tiny_rows if r["kind"] == "jacobian"]
    assert jac and all(r["jacobian_sv"] > 0 for r in jac)


def test_quick_depth_10_sigmoid_ratio_is_orders_below_relu_he():
    rows = _rows(gf, True, lambda c: c["depth"] == 10 and c["scheme"] in
                 ("sigmoid standard", "relu he"))
    table = gf.ratios(rows)
    assert table[("sigmoid standard", 10)] < 1e-3 * table[("relu he", 10)]


def test_describe_follows_the_numbers(tiny_rows):
    text = " ".join(gf.describe(tiny_rows))
    assert "sigmoid standard" in text or "orders of magnitude" in text
    changed = [dict(r) for r in tiny_rows]
    for r in changed:
        if r["kind"] == "final" and r["scheme"] == "sigmoid standard":
            r["ratio"] = 123.0
        if r["kind"] == "jacobian" and r["scheme"] == "tanh standard":
            r["jacobian_sv"] = 9.0
    other = " ".join(gf.describe(changed))
    assert other != text and "9.00" in other and "123" in other


def test_figures_have_titles_and_labels(tiny_rows):
    pytest.importorskip("matplotlib")
    figs = gf.figures(tiny_rows)
    assert set(figs) == {"layers", "ratio"}
    for fig in figs.values():
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_yscale() == "log" and ax.lines


def test_describe_names_an_underflowed_gradient_as_the_weakest():
    rows = [{"kind": "final", "scheme": s, "depth": 50, "ratio": v, "seed": k}
            for s, v in (("sigmoid standard", 0.0), ("tanh standard", 1e-11),
                         ("relu he", 0.4)) for k in (0, 1)]
    text = " ".join(gf.describe(rows))
    assert "with sigmoid standard (the weakest)" in text and "underflowed" in text
    assert "0.4 times with relu he (the closest to level)" in text
