"""``GradientMonitor``: per-layer gradient and activation statistics during training.

::

    mon = GradientMonitor(model, every=10, histogram_steps=(0, 500))
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad(); loss.backward(); opt.step()
        mon.step()                       # after the optimizer's step
    steps, norms = mon.series("out_grad_norm", "layers.0")
    mon.remove()

Everything goes through hooks: a forward pre-hook on the model (arms the
step), a forward hook on each watched layer (a copy of its parameters,
activation statistics, and a tensor hook on the layer's output that sees the
gradient flowing back into it), and ``step()`` (parameter statistics). On a
step that is not recorded every hook returns at once.
"""
import math
import numbers

import numpy as np

import autograd_core as ag

from .. import _checks
from . import stats
from .params import ParamStats
from .samples import SpreadBatch
from .paths import layer_kind, resolve_layers

__all__ = ["GradientMonitor", "PARAM_METRICS", "OUTPUT_METRICS"]

#: Per parameter of a watched layer, recorded by ``step()``.
PARAM_METRICS = ("grad_norm", "grad_data_ratio", "update_data_ratio")
#: Per watched layer's output: the gradient flowing back into it, then its values.
OUTPUT_METRICS = ("out_grad_norm", "out_grad_std", "act_mean", "act_std", "act_p15",
                  "act_p50", "act_p85", "act_p98", "act_saturated", "act_dead")
_QS = (15.0, 50.0, 85.0, 98.0)
# Where each output statistic sits in a layer's pending list (OUTPUT_METRICS order).
_SLOT = {m: i for i, m in enumerate(OUTPUT_METRICS)}
_GRAD_NORM, _GRAD_STD = _SLOT["out_grad_norm"], _SLOT["out_grad_std"]
_MEAN, _STD, _P15 = _SLOT["act_mean"], _SLOT["act_std"], _SLOT["act_p15"]
_SATURATED, _DEAD = _SLOT["act_saturated"], _SLOT["act_dead"]
_OWNER = "GradientMonitor"


class GradientMonitor:
    """Record per-layer gradient and activation statistics of ``model`` while it trains.

    ``GradientMonitor(model, every=1, layers=None, histogram_steps=(), bins=50,
    sample_size=1024)``

    - ``model``: any ``nn.Module``, user-written ones too; only hooks are used.
    - ``layers``: ``None`` watches every module without children (Linear,
      activations, BatchNorm1d, ..., the modules inside ``Residual`` blocks
      too), each named by its path as ``model.named_modules()`` gives it
      (``"layers.4"``, ``"layers.2.module.0"``); or a list of such paths (any
      module, containers included).
    - ``every``: steps are counted from 0 by ``step()``; step ``s`` is recorded
      when ``s % every == 0``.
    - ``histogram_steps``: steps at which histograms of every watched layer's
      output and of the gradient flowing back into it are kept (whether or not
      the step is recorded), with ``bins`` (as ``np.histogram``).
    - ``sample_size``: for a layer output or a parameter with more elements
      than this, some statistics are estimated from a fixed random subset of
      that many of its elements (``stats.sample_indices``), because exact ones
      would cost nearly as much as the training step itself: a layer output's
      std and percentiles (exact ones need a second pass and a sort), the std
      of the gradient flowing back into it (from its exact sum of squares and
      a sampled mean: within 1% when the mean is under a tenth of the std,
      which is the rule for gradients), and a parameter's three stds, of the
      parameter, its gradient and its update, hence the two ratios (an exact
      update needs a copy of every parameter at each step). With 1024
      elements a std is within about 2% (one standard error) and a percentile
      within about 0.016 in probability (at the median; 0.004 at the 98th
      percentile). Norms, means and fractions are always exact, and one pass
      over every value notices any NaN or inf; ``sample_size=None`` makes
      everything exact.

    Call ``step()`` once per training step, after ``optimizer.step()``
    (``nn.fit(..., monitor=mon)`` does). Only forwards in training mode
    (``model.training``) are recorded; when the model is called several times
    in one step, the last call counts, and within it a module called twice
    counts its first call.

    Results: ``records`` (tidy rows ``{"step", "layer", "param", "metric",
    "value"}``), ``table()``, ``series()``, ``histograms[(step, layer,
    "activation" | "gradient")] = (counts, edges)``, ``layers`` (watched paths in
    forward order). Metrics, per parameter (``param`` is its name in the layer,
    e.g. ``"weight"``): ``grad_norm``; ``grad_data_ratio`` = grad.std() /
    param.std(); ``update_data_ratio`` = std(param after the step - param at
    the step's forward) / param.std(); param.std() is the parameter's std when
    ``step()`` runs, after the update (both ratios are NaN when it is 0, e.g.
    a bias still at zero). Per layer output (``param`` is None):
    ``out_grad_norm`` and ``out_grad_std`` of the gradient
    of the loss with respect to the output (over the whole batch);
    ``act_mean``, ``act_std``, ``act_p15``, ``act_p50``, ``act_p85``,
    ``act_p98``; ``act_saturated`` for Sigmoid (within 0.03 of 0 or 1) and
    Tanh (``|t| > 0.97``) layers only; ``act_dead`` for ReLU layers only (the
    fraction of units that are zero for every sample of the batch).

    ``remove()`` takes every hook away (also on leaving a ``with`` block);
    the results stay readable.
    """

    def __init__(self, model, every=1, layers=None, histogram_steps=(), bins=50,
                 sample_size=1024):
        watched = resolve_layers(model, layers, _OWNER)
        self._every = _checks.size(_OWNER, "every", every, minimum=1)
        self._hist_steps = _histogram_steps(histogram_steps)
        self._bins = _bins(bins)
        self._sample_size = (None if sample_size is None
                             else _checks.size(_OWNER, "sample_size", sample_size, minimum=1))
        self._model = model
        self._paths = [p for p, _ in watched]
        self._kinds = {p: layer_kind(m) for p, m in watched}
        # Each watched layer's parameters by their names in it; a parameter
        # shared by two layers is summarised once per step (``_unique``).
        self._params = {p: list(m.named_parameters()) for p, m in watched}
        self._unique = list({id(t): t for ps in self._params.values() for _, t in ps}.values())
        self._param_shapes = {(p, n): t.shape for p, ps in self._params.items() for n, t in ps}
        self.histograms = {}
        # Results, one block per recorded step: (step, [(layer, output
        # statistics)], [(layer, parameter name, parameter statistics)]).
        self._blocks = []
        self._records = []
        self._records_upto = 0
        self._series = {}
        self._series_upto = 0
        self._order = []                # layers in forward order, as first seen
        self._order_open = bool(self._paths)
        self._step = 0
        self._attached = True
        self._pending = {}              # layer -> output statistics, by _SLOT
        self._pending_hist = {}
        self._grad_handles = []
        # Parameter statistics for all watched parameters at once, and the
        # sampled stds and percentiles of the layers' outputs, done together at
        # step().
        self._param_pack = ParamStats(self._unique, self._sample_size)
        self._spread = (None if self._sample_size is None
                        else SpreadBatch(_QS, self._sample_size, _STD, _P15))
        self._armed = False             # inside a forward of a step being recorded
        self._set_step_flags()

        self._grad_hooks = {p: self._make_grad_hook(p) for p in self._paths}
        self._handles = []
        for path, module in watched:
            self._handles.append(module.register_forward_hook(self._make_output_hook(path)))
        # Registered after the layers' hooks: when the model is itself the one
        # watched layer, its output hook must run before the forward disarms.
        self._handles.append(model.register_forward_pre_hook(self._on_model_start))
        self._handles.append(model.register_forward_hook(self._on_model_end))

    # -- what the user calls ------------------------------------------------------
    def step(self):
        """End the current training step: record it (if it is a recorded step) and
        count it. Call it once per step, after ``optimizer.step()``."""
        if not self._attached:
            raise RuntimeError("GradientMonitor.step: the monitor was removed; make a new "
                               "GradientMonitor to record again")
        step = self._step
        if self._recorded:
            if self._spread is not None:
                self._spread.finish()
            self._commit(step, self._param_pack.compute())
        if self._hist:
            for (path, kind), value in self._pending_hist.items():
                self.histograms[(step, path, kind)] = value
        self._clear_step()
        self._step += 1
        self._set_step_flags()

    def remove(self):
        """Remove every hook this monitor put on the model (safe to call twice).

        The model is left as it was before: its hook dictionaries are back to
        their earlier contents, so its forward takes the same path as one that
        was never monitored. Records and histograms stay readable.
        """
        for h in self._handles:
            h.remove()
        self._handles = []
        self._clear_step()
        self._attached = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False

    # -- results ------------------------------------------------------------------
    def _rows(self, start=0):
        """Yield ``(step, layer, param, metric, value)`` from block ``start`` on."""
        for step, outputs, params in self._blocks[start:]:
            for layer, slots in outputs:
                for metric, value in zip(OUTPUT_METRICS, slots):
                    if value is not None:
                        yield step, layer, None, metric, value
            for layer, name, (grad_norm, g_std, u_std, p_std) in params:
                if grad_norm is not None:
                    yield step, layer, name, "grad_norm", grad_norm
                    yield step, layer, name, "grad_data_ratio", _ratio(g_std, p_std)
                if u_std is not None:
                    yield step, layer, name, "update_data_ratio", _ratio(u_std, p_std)

    @property
    def records(self):
        """Every recorded value as a list of dicts ``{"step": int, "layer": str,
        "param": str | None, "metric": str, "value": float}`` (tidy: one value per
        row, e.g. ``pandas.DataFrame(mon.records)``), in step order."""
        if self._records_upto < len(self._blocks):
            self._records.extend(
                {"step": s, "layer": layer, "param": param, "metric": metric, "value": v}
                for s, layer, param, metric, v in self._rows(self._records_upto))
            self._records_upto = len(self._blocks)
        return self._records

    def table(self, metric=None, layer=None, param=None):
        """The rows of ``records`` with this ``metric``, ``layer`` (and ``param``);
        None matches any. Each may also be a list of accepted values."""
        keep_m, keep_l, keep_p = _matcher(metric), _matcher(layer), _matcher(param)
        return [{"step": s, "layer": ly, "param": p, "metric": m, "value": v}
                for s, ly, p, m, v in self._rows()
                if keep_m(m) and keep_l(ly) and keep_p(p)]

    def series(self, metric, layer, param=None):
        """``(steps, values)``: NumPy arrays (int64, float64) of one metric of one
        layer over the recorded steps.

        For a parameter metric, ``param`` names the parameter (``"weight"``); it
        may be left out when the layer has one parameter only. Unknown names are
        a ``ValueError``; a known layer and metric with nothing recorded (yet)
        give empty arrays.
        """
        if metric not in PARAM_METRICS and metric not in OUTPUT_METRICS:
            raise ValueError(f"GradientMonitor.series: unknown metric {metric!r}; one of "
                             f"{PARAM_METRICS + OUTPUT_METRICS}")
        if layer not in self._kinds:
            raise ValueError(f"GradientMonitor.series: {layer!r} is not a monitored layer; "
                             f"monitored: {self.layers}")
        if metric in PARAM_METRICS:
            names = self.param_names(layer)
            if param is None:
                if len(names) != 1:
                    raise ValueError(f"GradientMonitor.series: layer {layer!r} has "
                                     f"{len(names)} parameters {names}; pass param= to "
                                     f"choose one for {metric!r}")
                param = names[0]
            elif param not in names:
                raise ValueError(f"GradientMonitor.series: layer {layer!r} has no parameter "
                                 f"{param!r}; its parameters: {names}")
        else:
            param = None
        self._index_series()
        steps, values = self._series.get((layer, param, metric), ((), ()))
        return np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64)

    def _index_series(self):
        series = self._series
        for s, layer, param, metric, v in self._rows(self._series_upto):
            entry = series.get((layer, param, metric))
            if entry is None:
                entry = series[(layer, param, metric)] = ([], [])
            entry[0].append(s)
            entry[1].append(v)
        self._series_upto = len(self._blocks)

    @property
    def layers(self):
        """Monitored layer paths, in the order the forward first called them (layers
        not called yet follow, in ``named_modules()`` order)."""
        if len(self._order) == len(self._paths):
            return list(self._order)
        seen = set(self._order)
        return self._order + [p for p in self._paths if p not in seen]

    @property
    def step_index(self):
        """The index of the current step: how many times ``step()`` has been called."""
        return self._step

    @property
    def every(self):
        """Every how many steps a step is recorded."""
        return self._every

    @property
    def model(self):
        """The monitored model."""
        return self._model

    def param_names(self, layer):
        """Names of the parameters of a monitored layer (``["weight", "bias"]``)."""
        return [n for n, _ in self._params[layer]]

    def param_shape(self, layer, param):
        """Shape of a monitored layer's parameter (e.g. to tell weights from biases)."""
        return self._param_shapes[(layer, param)]

    def kind(self, layer):
        """"sigmoid", "tanh", "relu" or None: what the monitor knows about a layer."""
        return self._kinds[layer]

    def to_frame(self):
        """``records`` as a ``pandas.DataFrame`` (pandas is needed for this only)."""
        import pandas as pd
        return pd.DataFrame(self.records, columns=["step", "layer", "param", "metric",
                                                   "value"])

    def __repr__(self):
        state = "attached" if self._attached else "removed"
        return (f"GradientMonitor({type(self._model).__name__}, {len(self._paths)} layers, "
                f"every={self._every}, step={self._step}, {len(self._blocks)} recorded "
                f"steps, {state})")

    # -- hooks --------------------------------------------------------------------
    def _set_step_flags(self):
        # Decided once per step, so that hooks on other steps cost one test.
        self._recorded = self._step % self._every == 0
        self._hist = self._step in self._hist_steps
        self._active = self._recorded or self._hist

    def _on_model_start(self, model, args):
        if not self._active or not model.training:
            return
        # A second forward in the same step replaces what the first one recorded.
        self._clear_step()
        self._armed = True
        if self._recorded:
            # The parameters' values at the forward, for their update.
            self._param_pack.snapshot()

    def _on_model_end(self, model, args, out):
        self._armed = False

    def _make_output_hook(self, path):
        def output_hook(module, args, out):
            if self._armed:
                self._on_output(path, out)
        return output_hook

    def _on_output(self, path, out):
        if path in self._pending:          # called twice in one forward: the first counts
            return
        slots = self._pending[path] = [None] * len(OUTPUT_METRICS)
        if self._order_open and path not in self._order:
            self._order.append(path)
            self._order_open = len(self._order) < len(self._paths)
        if not isinstance(out, ag.Tensor) or out.data.dtype.kind != "f":
            return
        a = stats.flat(out.data)
        finite = False
        if self._recorded:
            self._activation_stats(path, out.data, a, slots)
            finite = math.isfinite(slots[_MEAN])    # finite mean: every value finite
        if self._hist:
            self._pending_hist[(path, "activation")] = stats.histogram(a, self._bins, finite)
        if out.requires_grad:
            self._grad_handles.append(out.register_hook(self._grad_hooks[path]))

    def _activation_stats(self, path, raw, a, slots):
        kind = self._kinds[path]
        total = None
        if kind == "relu":
            # A ReLU's output is never negative: a unit is dead when its sum over
            # the batch is 0, and those sums add up to the total the mean needs.
            sums = stats.unit_sums(raw)
            slots[_DEAD] = stats.dead_fraction(raw, sums)
            total = float(sums.sum()) if sums is not None else None
        if kind == "sigmoid" or kind == "tanh":
            slots[_SATURATED] = stats.saturated_fraction(a, kind)
        if self._spread is not None and a.size > self._sample_size:
            # Exact mean (one pass, which also sees any NaN or inf); the std and
            # percentiles from the sample, all layers together at step().
            mean = (stats.total(raw) if total is None else total) / a.size
            slots[_MEAN] = mean
            if math.isfinite(mean):
                self._spread.add(a, mean, slots)
                return
            slots[_STD] = math.nan                  # as np.std with a NaN or inf
            slots[_P15:_P15 + 4] = ([math.nan] * 4 if mean != mean else
                                    stats.percentiles(a, _QS, self._sample_size))
            return
        mean, std, _ = stats.moments(a, total)
        slots[_MEAN] = mean
        slots[_STD] = std
        slots[_P15:_P15 + 4] = (stats.percentiles(a, _QS, self._sample_size) if mean == mean
                                else [math.nan] * 4)    # NaN in: NaN out, as np.percentile

    def _make_grad_hook(self, path):
        # Registered on the layer's output at each recorded forward, and
        # removed at the end of the step (_clear_step): it only ever sees the
        # gradient of the current step's output.
        def grad_hook(grad):
            slots = self._pending.get(path)
            if slots is None:
                return None
            g = stats.flat(grad.data)
            std, sq = stats.spread_about_sampled_mean(g, self._sample_size)
            if self._recorded:
                slots[_GRAD_NORM] = math.sqrt(sq)
                slots[_GRAD_STD] = std
            if self._hist:
                self._pending_hist[(path, "gradient")] = stats.histogram(
                    g, self._bins, math.isfinite(std))
            return None
        return grad_hook

    def _clear_step(self):
        for h in self._grad_handles:
            h.remove()
        self._grad_handles = []
        self._pending = {}
        self._pending_hist = {}
        self._param_pack.forget()
        if self._spread is not None:
            self._spread.clear()
        self._armed = False

    def _commit(self, step, param_stats):
        # Kept as computed, one entry per layer and per parameter; the tidy rows
        # are spelled out only when asked for (records, table, series), which
        # keeps a recorded step cheap.
        pending = self._pending
        layers = self.layers
        outputs = [(path, pending[path]) for path in layers if path in pending]
        params = [(path, name, param_stats[id(t)]) for path in layers
                  for name, t in self._params[path]]
        self._blocks.append((step, outputs, params))


def _ratio(num, den):
    return num / den if den > 0 else math.nan


def _matcher(wanted):
    if wanted is None:
        return lambda v: True
    if isinstance(wanted, (list, tuple, set, frozenset)):
        wanted = set(wanted)
        return lambda v: v in wanted
    return lambda v: v == wanted


def _histogram_steps(steps):
    if isinstance(steps, numbers.Integral) and not isinstance(steps, bool):
        steps = (steps,)
    try:
        steps = list(steps)
    except TypeError:
        raise TypeError(f"GradientMonitor: histogram_steps must be a list of step indices, "
                        f"got {type(steps).__name__}") from None
    return frozenset(_checks.size(_OWNER, "histogram_steps[i]", s) for s in steps)


def _bins(bins):
    if isinstance(bins, (numbers.Integral, np.integer)) and not isinstance(bins, bool):
        return _checks.size(_OWNER, "bins", bins, minimum=1)
    edges = np.asarray(bins, dtype=np.float64) if not isinstance(bins, str) else None
    if edges is None or edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"GradientMonitor: bins must be a positive int or increasing bin "
                         f"edges, got {bins!r}")
    return edges
