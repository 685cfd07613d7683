"""The HTML report on a tiny run: every figure, the drawings (or why they are
missing), the summary table, no external URL, and sentences generated from the
measured numbers (they change when the numbers do)."""
import re
import shutil
import sys
import types
from html import escape as html_escape

import pytest

from nn.experiments import cli, deep_relu, degradation, load_results, registry, \
    thousand_layers
from nn.experiments.plotting import fmt_pct
from nn.experiments.report import write_report
from nn.experiments.selection import mark_selected
from nn.experiments.store import write_task
from nn.experiments.summary import summary

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def page(tiny_run, tmp_path_factory):
    """``(rows, html)`` of the report of the shared tiny run."""
    out, _ = tiny_run
    path = write_report(out, tmp_path_factory.mktemp("report") / "report.html")
    return load_results(out), path.read_text(encoding="utf-8")


def _lines(rows, experiment):
    return {t["config"]: t for t in summary(rows) if t["experiment"] == experiment}


def test_every_figure_of_every_experiment_is_inline(page):
    rows, html = page
    expected = []
    for name in registry.names():
        mine = [r for r in rows if r["experiment"] == name]
        assert mine, f"the tiny run has no rows of {name}"
        expected += [f"{name}-{key}" for key in registry.get(name).figures(mine)]
    for name in expected:
        assert html.count(f'data-figure="{name}"') == 1, name
    images = re.findall(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', html)
    assert len(images) == len(expected)
    for name in registry.names():
        assert html_escape(registry.get(name).TITLE) in html


def test_drawings_table_and_sections(page):
    rows, html = page
    if shutil.which("dot"):
        graphs = re.findall(r"<div class='graph' data-graph='(\w+)'><svg", html)
        assert graphs == ["sigmoid", "residual"]
        assert "one colour scale" in html and "times smaller" in html
    else:
        assert "no-drawings" in html and "Graphviz" in html
    assert "id='summary-table'" in html
    table = html[html.index("id='summary-table'"):]
    for t in summary(rows):
        assert f"<td>{t['config']}</td>" in table
    for anchor in ("question", "backprop", "summary", "method"):
        assert f"id='{anchor}'" in html
    assert "Grid: the tiny grid" in html


def test_no_external_url_or_script(page):
    _, html = page
    lowered = html.lower()
    assert "http://" not in lowered and "https://" not in lowered
    assert "@import" not in lowered and "<script" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", lowered)
    assert not re.search(r"""(src|href)\s*=\s*["']?(?!data:|#)[a-z]+:""", lowered)


def test_sentences_hold_the_measured_numbers(page):
    rows, html = page
    he = _lines(rows, "deep_relu")["he init"]
    assert (f"reached a training loss of {he['train_loss_mean']:.3g} and "
            f"{fmt_pct(he['test_acc_mean'])} test accuracy") in html
    gated = next(t for c, t in _lines(rows, "thousand_layers").items() if "gates at 0" in c)
    assert f"{fmt_pct(gated['test_acc_mean'])} test accuracy" in html
    plain = _lines(rows, "degradation")
    deepest = max((t for c, t in plain.items() if c.startswith("plain")),
                  key=lambda t: int(t["config"].split()[-1]))
    assert f"to {deepest['train_loss_mean']:.3g} at" in html
    for name in registry.names():
        paper = getattr(registry.get(name), "PAPER", None)
        if paper:
            assert html_escape(paper) in html


def test_report_without_dot_says_so(tiny_run, tmp_path, monkeypatch):
    out, _ = tiny_run
    monkeypatch.setenv("PATH", str(tmp_path))            # no dot to be found
    html = write_report(out, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "dot program was not found" in html and "no-drawings" in html
    assert "<svg" not in html


def test_cli_report_writes_and_prints_the_path(tiny_run, capsys):
    out, _ = tiny_run
    assert cli.main(["report", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "report.html" in printed and (out / "report.html").is_file()


def test_empty_folder_gives_a_page_that_says_so(tmp_path):
    html = write_report(tmp_path).read_text(encoding="utf-8")
    assert "No finished tasks" in html


# --- describe follows the numbers ---------------------------------------------------

def _finals(experiment, configs, **common):
    """Final rows for each ``(config label, extra fields, [(lr, train_loss, test_acc)])``
    over two seeds; selection then picks the rate with the best accuracy."""
    rows = []
    for label, extra, runs in configs:
        for lr, loss, acc in runs:
            for seed in (0, 1):
                rows.append({"experiment": experiment, "config": label, "mode": "quick",
                             "dataset": "digits", "kind": "final", "seed": seed, "lr": lr,
                             "train_loss": loss, "val_loss": loss, "val_acc": acc,
                             "test_acc": acc, "diverged": False, "time_s": 1.0,
                             "steps_budget": 300, "step": 300, **common, **extra})
    return mark_selected(rows)


def _deep_relu_rows(xavier_loss, xavier_acc):
    return _finals("deep_relu", [
        ("he init", {"init": "he"}, [(0.01, 0.0123, 0.91), (0.1, 0.5, 0.8)]),
        ("xavier init", {"init": "xavier"}, [(0.01, xavier_loss, xavier_acc),
                                             (0.1, 2.302, 0.1)])], depth=30)


def test_deep_relu_describe_follows_the_numbers():
    stalled = " ".join(deep_relu.describe(_deep_relu_rows(2.2987, 0.101)))
    learned = " ".join(deep_relu.describe(_deep_relu_rows(1.234, 0.456)))
    assert "0.0123" in stalled and "91.0%" in stalled
    assert "2.3" in stalled and "stalled at chance" in stalled and "as in the paper" in stalled
    assert "1.23" in learned and "45.6%" in learned and "did learn a little" in learned
    assert "stalled" not in learned


def _degradation_rows(plain_deep_loss):
    configs = []
    for arch, losses in (("plain", {2: 0.004, 16: plain_deep_loss}),
                         ("residual", {2: 0.005, 16: 0.006})):
        for depth, loss in losses.items():
            configs.append((f"{arch} {depth}", {"arch": arch, "depth": depth},
                            [(0.1, loss, 0.9)]))
    return _finals("degradation", configs)


def test_degradation_describe_follows_the_numbers():
    degraded = " ".join(degradation.describe(_degradation_rows(0.4321)))
    level = " ".join(degradation.describe(_degradation_rows(0.0045)))
    assert "0.432" in degraded and "as He et al. found" in degraded
    assert "0.0045" in level and "did not degrade" in level and "unlike the paper" in level


def _thousand_rows(gated_acc):
    return _finals("thousand_layers", [
        (f"{label} (100 layers)", {"arch": arch},
         [(0.001, loss, acc)])
        for arch, label, loss, acc in (("gated", "residual, gates at 0", 0.01, gated_acc),
                                       ("plain", "plain", 2.3, 0.1),
                                       ("ungated", "residual, no gates", 9.0, 0.1))],
        depth=100)


def test_thousand_layers_describe_follows_the_numbers():
    met = " ".join(thousand_layers.describe(_thousand_rows(0.987)))
    short = " ".join(thousand_layers.describe(_thousand_rows(0.612)))
    assert "98.7%" in met and "meets the target" in met
    assert "61.2%" in short and "falls short" in short


# --- an experiment the report knows nothing about ----------------------------------

def test_an_experiment_without_describe_gets_generic_sentences(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    module = types.ModuleType("fake_experiment")
    module.TITLE = "A made-up experiment"

    def figures(rows):
        fig = Figure(figsize=(3, 2))
        fig.subplots().plot([r["test_acc"] for r in rows if r["kind"] == "final"])
        return {"only": fig}
    module.figures = figures
    monkeypatch.setitem(sys.modules, "fake_experiment", module)
    monkeypatch.setitem(registry.EXPERIMENTS, "fake", "fake_experiment")
    rows = _finals("fake", [("wide", {}, [(0.1, 0.2, 0.777)]),
                            ("narrow", {}, [(0.1, 0.9, 0.333)])])
    for i, row in enumerate(rows):
        row["task_id"] = f"t{i}"
        write_task(tmp_path, {"experiment": "fake", "id": f"t{i}"},
                   {"rows": [row], "elapsed_s": 1.0, "worker": "host:1"})
    html = write_report(tmp_path).read_text(encoding="utf-8")
    assert "A made-up experiment" in html and 'data-figure="fake-only"' in html
    assert "wide, reached 77.7%" in html and "narrow, reached 33.3%" in html
