"""Statistics of many parameters at once: their values, gradients and updates.

A recorded step summarises every parameter of the model. Done one parameter at
a time, that is a dozen small NumPy calls per parameter, and for an MLP it was
most of the monitor's cost. Here the (sampled) values and gradients of all
parameters are gathered into one packed buffer, one segment per parameter, and
the per-segment sums come from a few whole-buffer calls (``np.add.reduceat``).

The values gathered after one step's update are what the next forward sees,
unless something wrote into the parameter in between (its version counter,
``t._version``, says so): they are kept as the next step's "before", and only
parameters written since are gathered again. At ``every=1`` the update costs
no extra gather at all.
"""
import math

import numpy as np

from . import stats

__all__ = ["ParamStats"]

_PACK_MAX = 8192       # longest segment packed; longer ones are summarised alone


class ParamStats:
    """Per-parameter ``(grad_norm, grad_std, update_std, param_std)`` of ``params``.

    ``snapshot()`` keeps the (sampled) values of every parameter as they are
    now, at the forward of a recorded step; ``compute()``, after the
    optimizer's step, returns ``{id(t): (grad_norm, grad_std, update_std,
    param_std)}`` with None for what cannot be known (no gradient; no
    snapshot since the last ``compute()``). A parameter with more than
    ``sample_size`` elements has its three stds taken at the fixed sample of
    positions ``stats.sample`` uses (the same for all three) and its gradient
    norm over every element.
    """

    def __init__(self, params, sample_size):
        self._params = list(params)
        self._k = sample_size
        self._layout()

    def _layout(self):
        # Segment of each parameter in the packed buffers; the layout is redone
        # if a parameter's size changes (its data replaced by another shape).
        k = self._k
        self._sizes = [t.data.size for t in self._params]
        lengths = [n if k is None or n <= k else k for n in self._sizes]
        # A large unsampled parameter (sample_size=None, or a large sample) is
        # summarised on its own, straight from its arrays: packing it would
        # copy all of it twice more.
        self._alone = {i for i, m in enumerate(lengths) if m > _PACK_MAX}
        self._alone_before = {}
        lengths = [0 if i in self._alone else m for i, m in enumerate(lengths)]
        ends = np.cumsum(lengths, dtype=np.intp)
        self._seg = [(int(e) - m, int(e)) for e, m in zip(ends, lengths)]
        # reduceat needs non-empty segments: parameters with no elements are
        # left out of the whole-buffer sums (their stds are NaN), as are those
        # summarised alone.
        self._packed = [i for i, m in enumerate(lengths) if m > 0]
        starts = np.array([self._seg[i][0] for i in self._packed], dtype=np.intp)
        sizes = np.array([lengths[i] for i in self._packed], dtype=np.intp)
        total = int(ends[-1]) if len(ends) else 0
        # One buffer of three sections, [values | gradients | updates], so that
        # each sum is one call over all of them; float32 parameters are gathered
        # and summed as they are.
        dtypes = {t.data.dtype for t in self._params}
        dtype = np.float32 if dtypes <= {np.dtype(np.float32)} else np.float64
        self._total = total
        self._buf = np.zeros(3 * total, dtype)
        self._before = np.zeros(total, dtype)
        self._starts3 = np.concatenate([starts + j * total for j in range(3)])
        # Per parameter and buffer: where its sample goes, and the 16-element
        # rows to gather when it is sampled by runs (stats.sample).
        self._plans = {}
        for name, buf in (("value", self._buf[:total]), ("grad", self._buf[total:2 * total]),
                          ("before", self._before)):
            self._plans[name] = [self._plan(buf, i, n) for i, n in enumerate(self._sizes)]
        self._lengths3 = np.tile(sizes, 3)
        # What self._before holds, per parameter: (its array, its version), or
        # None; and whether it was confirmed at this step's forward.
        self._held = [None] * len(self._params)
        self._snapped = False

    def _plan(self, buf, i, n):
        """``(out, rows, positions)``: where parameter ``i``'s sample goes, and
        what to gather: ``rows`` of RUN elements (stats.sample's runs), or
        single ``positions``, or everything (both None)."""
        a, b = self._seg[i]
        out = buf[a:b]
        if b - a == n or i in self._alone:
            return out, None, None
        rows = stats.sample_rows(n, self._k)
        if rows is None:
            return out, None, stats.sample_indices(n, self._k)
        return out.reshape(-1, stats.RUN), rows, None

    @staticmethod
    def _gather(x, plan):
        """Write the sample of the parameter array ``x`` where ``plan`` says."""
        out, rows, positions = plan
        if rows is not None:
            if x.dtype == out.dtype and x.flags.c_contiguous:     # the common case
                x.reshape(-1, stats.RUN).take(rows, axis=0, out=out)
            else:
                np.copyto(out, stats.flat(x).reshape(-1, stats.RUN)[rows])
        elif positions is not None:
            np.copyto(out, stats.flat(x)[positions])
        else:
            np.copyto(out, stats.flat(x))

    def snapshot(self):
        """Keep every parameter's (sampled) values as they are now (the forward of
        a recorded step); only those written since they were last gathered are
        gathered again."""
        if any(t.data.size != n for t, n in zip(self._params, self._sizes)):
            self._layout()
        plans = self._plans["before"]
        for i, t in enumerate(self._params):
            held = self._held[i]
            data = t.data
            if held is None or held[0] is not data or held[1] != t._version:
                if i in self._alone:
                    self._alone_before[i] = stats.sample(stats.flat(data), self._k).copy()
                else:
                    self._gather(data, plans[i])
                self._held[i] = (data, t._version)
        self._snapped = True

    def forget(self):
        """Drop this step's snapshot (the gathered values stay for reuse)."""
        self._snapped = False

    def compute(self):
        """The statistics of every parameter; then this step's snapshot is dropped."""
        if any(t.data.size != n for t, n in zip(self._params, self._sizes)):
            self._layout()                      # also drops the snapshot
        gather, values, grads = self._gather, self._plans["value"], self._plans["grad"]
        norms = [None] * len(self._params)
        # The optimizer has just gone through the parameters in order: the
        # last ones are still in the cache, so they come first.
        alone = {}
        for i in range(len(self._params) - 1, -1, -1):
            t = self._params[i]
            if i in self._alone:
                alone[id(t)] = self._stats_alone(i, t)
                continue
            gather(t.data, values[i])
            grad = t.grad
            if grad is None:
                continue
            g = grad.data
            gather(g, grads[i])
            # A sampled gradient's norm is taken over every element.
            if grads[i][1] is not None or grads[i][2] is not None:
                g = stats.flat(g)
                norms[i] = math.sqrt(float(np.dot(g, g)))
            else:
                norms[i] = -1.0
        p_std, g_std, u_std, g_sq = self._segment_stats()
        out = alone
        for j, i in enumerate(self._packed):
            has_grad = norms[i] is not None
            if norms[i] == -1.0:
                norms[i] = math.sqrt(g_sq[j])
            out[id(self._params[i])] = (norms[i], g_std[j] if has_grad else None,
                                        u_std[j] if self._snapped else None, p_std[j])
        for i, t in enumerate(self._params):
            if id(t) not in out:                # no elements
                has_grad = norms[i] is not None
                out[id(t)] = (0.0 if has_grad else None, math.nan if has_grad else None,
                              math.nan if self._snapped else None, math.nan)
        # The values after the update are the next forward's, unless written
        # in between (snapshot() checks the versions).
        np.copyto(self._before, self._buf[:self._total])
        self._held = [(t.data, t._version) if i not in self._alone or i in self._alone_before
                      else None for i, t in enumerate(self._params)]
        self.forget()
        return out

    def _stats_alone(self, i, t):
        """The statistics of one parameter summarised on its own (``_alone``); its
        values are kept for the next step's update."""
        k = self._k
        x = stats.sample(stats.flat(t.data), k)
        _, p_std, _ = stats.moments(x)
        grad_norm = g_std = u_std = None
        if t.grad is not None:
            g = stats.flat(t.grad.data)
            gs = stats.sample(g, k)
            _, g_std, sq = stats.moments(gs)
            grad_norm = math.sqrt(sq if gs is g else float(np.dot(g, g)))
        before = self._alone_before.get(i)
        if before is not None and before.shape == x.shape and self._snapped:
            np.subtract(x, before, out=before)
            _, u_std, _ = stats.moments(before)
        if before is None or before.shape != x.shape or before.dtype != x.dtype:
            self._alone_before[i] = x.copy()
        else:
            np.copyto(before, x)
        return grad_norm, g_std, u_std, (p_std if x.size else math.nan)

    def _segment_stats(self):
        """Lists over the packed parameters: stds of the values, the gradients and
        the updates, and the gradients' sums of squares."""
        if not self._packed:
            return [], [], [], []
        buf, total = self._buf, self._total
        np.subtract(buf[:total], self._before, out=buf[2 * total:])
        starts, n = self._starts3, self._lengths3
        # Sums in the buffer's precision (pairwise within each segment).
        s = np.add.reduceat(buf, starts).astype(np.float64)
        sq = np.add.reduceat(buf * buf, starts).astype(np.float64)
        mean = s / n
        var = sq / n - mean * mean
        # E[x^2] - E[x]^2 loses digits when the mean is large against the
        # spread: such segments are summed again, centred, in float64 (rare).
        for j in np.nonzero(~(var > 1e-3 * sq / n) & (sq != 0))[0]:
            a = starts[j]
            d = buf[a:a + n[j]].astype(np.float64) - mean[j]
            var[j] = np.dot(d, d) / n[j]
        std = np.sqrt(np.maximum(var, 0)).tolist()
        m = len(self._packed)
        return std[:m], std[m:2 * m], std[2 * m:], sq[m:2 * m].tolist()
