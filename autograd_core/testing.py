"""Hypothesis strategies and gradient-checking helpers for property tests.

This module is for *users* who write their own operations (or models) on top of
``autograd_core`` and want to test them the way the engine tests itself: draw
many small inputs with `Hypothesis <https://hypothesis.readthedocs.io>`_, compare
the forward pass against a NumPy reference and compare analytic gradients
against finite differences.

It needs the optional dependency ``hypothesis`` and is built on
:mod:`hypothesis.extra.numpy` (``arrays``, ``array_shapes``,
``mutually_broadcastable_shapes``, ``valid_tuple_axes``, ...).

A new op is tested in five lines::

    from hypothesis import given
    from autograd_core.testing import tensors, check_gradients

    @given(x=tensors(shape=(3, 4)))
    def test_my_op(x):
        check_gradients(my_op, x)       # gradcheck + gradgradcheck in float64

or, with no test body at all::

    from autograd_core.testing import tensors, gradcheck_property

    test_my_op = gradcheck_property(my_op, tensors(shape=(3, 4)))

Defaults are chosen for gradient checking: float64 tensors that require grad,
at most three dimensions of at most four elements each, and finite, moderate
elements in ``[-10, 10]`` (no NaN, no infinity, no subnormals).  Operations with
kinks (``relu``, ``abs``, ``max``...) are not differentiable everywhere; keep
the drawn inputs away from those points with ``avoid=`` / ``distinct=`` on
:func:`tensors`, or filter with :func:`away_from` / :func:`nonzero`.
"""
import numpy as np
from hypothesis import given
from hypothesis import settings as _hyp_settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag

__all__ = [
    "DEFAULT_MIN_VALUE",
    "DEFAULT_MAX_VALUE",
    "DEFAULT_MARGIN",
    "floats",
    "shapes",
    "arrays",
    "tensors",
    "broadcastable_shapes",
    "broadcastable_tensors",
    "axes",
    "axis_keepdims",
    "tensors_with_axes",
    "away_from",
    "nonzero",
    "distinct",
    "check_gradients",
    "check_grad",
    "gradcheck_property",
    "check_forward",
]

#: Smallest element drawn by default.
DEFAULT_MIN_VALUE = -10.0
#: Largest element drawn by default.
DEFAULT_MAX_VALUE = 10.0
#: Default distance kept from kinks (``avoid=``) and between elements (``distinct=``).
#: Far larger than gradcheck's finite-difference step (``eps=1e-6``).
DEFAULT_MARGIN = 1e-3


# --------------------------------------------------------------------------- helpers

def _is_float_dtype(dtype):
    return np.issubdtype(np.dtype(dtype), np.floating)


def _representable(value, dtype, upward):
    """``value`` rounded (inwards) to the nearest number representable in ``dtype``."""
    if value is None:
        return None
    v = np.dtype(dtype).type(value)
    if upward and float(v) < value:
        v = np.nextafter(v, np.dtype(dtype).type(np.inf))
    elif not upward and float(v) > value:
        v = np.nextafter(v, np.dtype(dtype).type(-np.inf))
    return float(v)


def _as_points(points):
    pts = np.asarray(points, dtype=np.float64).reshape(-1)
    return pts


def _data_of(x):
    if isinstance(x, ag.Tensor):
        return np.asarray(x.data)
    return np.asarray(x)


def _far_from(values, pts, margin):
    """Whether every element of ``values`` is at least ``margin`` from every point."""
    if pts.size == 0:
        return True
    a = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    return bool(np.all(np.abs(a - pts.reshape(1, -1)) >= margin))


def _gaps_ok(values, margin):
    a = np.sort(np.asarray(values, dtype=np.float64).reshape(-1))
    return bool(a.size < 2 or np.all(np.diff(a) >= margin))


def _push_away(a, pts, margin, lo, hi):
    """Move the elements of float64 array ``a`` that lie within ``margin`` of a point.

    An element is moved to 2.5 margins from the point, on its own side when that
    stays inside ``[lo, hi]``.  Mapping (rather than filtering) keeps Hypothesis
    from rejecting most examples, since it likes to draw exactly the kinks (0).
    """
    for p in pts:
        d = a - p
        close = np.abs(d) < margin
        if not np.any(close):
            continue
        up, down = p + 2.5 * margin, p - 2.5 * margin
        first = np.where(d >= 0, up, down)
        second = np.where(d >= 0, down, up)
        ok = np.ones_like(first, dtype=bool)
        if lo is not None:
            ok &= first >= lo
        if hi is not None:
            ok &= first <= hi
        a = np.where(close, np.where(ok, first, second), a)
    return a


def _spread(a, margin, hi=None):
    """Raise elements of float64 array ``a`` (in sorted order) until neighbours are
    ``margin`` apart; the order of the elements is kept.  Where that would pass
    ``hi``, the top elements are lowered instead, so none exceeds ``hi``."""
    flat = a.reshape(-1).copy()
    if flat.size < 2:
        return a
    order = np.argsort(flat, kind="stable")
    s = flat[order]
    for k in range(1, s.size):
        if s[k] < s[k - 1] + margin:
            s[k] = s[k - 1] + margin
    if hi is not None and s[-1] > hi:
        s[-1] = hi
        for k in range(s.size - 2, -1, -1):
            if s[k] > s[k + 1] - margin:
                s[k] = s[k + 1] - margin
    flat[order] = s
    return flat.reshape(a.shape)


def _in_range(values, lo, hi):
    """Whether every element lies in ``[lo, hi]`` (``None``: unbounded)."""
    a = np.asarray(values, dtype=np.float64)
    return bool((lo is None or np.all(a >= lo)) and (hi is None or np.all(a <= hi)))


def _bounds_of(elements, dtype):
    """The ``[lo, hi]`` that an elements strategy draws from, where it is known:
    the default elements and :func:`floats` strategies; ``(None, None)`` otherwise."""
    if elements is None:
        return (_representable(DEFAULT_MIN_VALUE, dtype, upward=True),
                _representable(DEFAULT_MAX_VALUE, dtype, upward=False))
    return getattr(elements, "_autograd_core_bounds", (None, None))


def _fix_array(a, pts, margin, gap, lo, hi):
    """Apply ``avoid`` (points) and ``distinct`` (gap) to an ndarray, keeping its dtype
    and, where they are known, its elements' bounds ``[lo, hi]``."""
    dtype = a.dtype
    b = np.asarray(a, dtype=np.float64)
    for _ in range(4):
        if gap is not None:
            b = _spread(b, gap, hi)
        b = _push_away(b, pts, margin, lo, hi)
        c = b.astype(dtype)
        if _far_from(c, pts, margin) and (gap is None or _gaps_ok(c, gap)):
            break
    return b.astype(dtype)


# --------------------------------------------------------------------------- predicates

def away_from(points, margin=DEFAULT_MARGIN):
    """Return a predicate that is true when every element is at least ``margin``
    away from every one of ``points``.

    The predicate accepts a number, a nested list, an ``np.ndarray``, a
    :class:`~autograd_core.Tensor` or a tuple of those (all must pass), so it
    works with ``.filter`` on element, array, tensor and tuple strategies and
    with :func:`hypothesis.assume`::

        tensors().filter(away_from(0))            # relu / abs kink
        tensors().filter(away_from([-1, 1]))      # clip(-1, 1) kinks

    Filtering rejects examples; for tensors prefer ``tensors(avoid=..., margin=...)``,
    which moves offending elements instead.
    """
    pts = _as_points(points)

    def predicate(x):
        if isinstance(x, tuple):
            return all(predicate(item) for item in x)
        a = _data_of(x)
        if a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.number):
            return True
        return _far_from(a, pts, margin)

    predicate.__name__ = predicate.__qualname__ = (
        "away_from(%r, margin=%r)" % (points, margin))
    return predicate


def nonzero(margin=DEFAULT_MARGIN):
    """Return a predicate that is true when every element satisfies ``|x| >= margin``.

    Shorthand for ``away_from(0, margin)``; use it for inputs of ``log``,
    ``sqrt``, division and ops with a kink at zero (``relu``, ``abs``).
    """
    pred = away_from(0.0, margin)
    pred.__name__ = pred.__qualname__ = "nonzero(margin=%r)" % (margin,)
    return pred


def distinct(margin=DEFAULT_MARGIN):
    """Return a predicate that is true when any two elements differ by at least ``margin``.

    Ties make ``max``/``min``/``maximum``/``minimum`` non-differentiable; for tensors
    prefer ``tensors(distinct=True)``, which spreads elements apart instead of
    rejecting the example.  Accepts the same kinds of values as :func:`away_from`
    (elements of a tuple are checked separately).
    """

    def predicate(x):
        if isinstance(x, tuple):
            return all(predicate(item) for item in x)
        return _gaps_ok(_data_of(x), margin)

    predicate.__name__ = predicate.__qualname__ = "distinct(margin=%r)" % (margin,)
    return predicate


# --------------------------------------------------------------------------- strategies

def floats(min_value=DEFAULT_MIN_VALUE, max_value=DEFAULT_MAX_VALUE, dtype=np.float64,
           *, avoid=(), margin=DEFAULT_MARGIN):
    """Strategy for finite floats in ``[min_value, max_value]`` representable in ``dtype``.

    No NaN, no infinity and no subnormal numbers.  Bounds that ``dtype`` cannot
    represent exactly are rounded inwards.  ``avoid`` is a number or a sequence of
    numbers (kinks, poles) that every drawn value stays at least ``margin`` away
    from; values that land too close are moved rather than rejected.  Use it as
    the ``elements=`` of :func:`tensors` / :func:`arrays`.
    """
    dtype = np.dtype(dtype)
    if not _is_float_dtype(dtype):
        raise TypeError("floats() needs a floating dtype, got %s" % dtype)
    lo = _representable(min_value, dtype, upward=True)
    hi = _representable(max_value, dtype, upward=False)
    base = hnp.from_dtype(dtype, min_value=lo, max_value=hi, allow_nan=False,
                          allow_infinity=False, allow_subnormal=False)
    pts = _as_points(avoid)
    if pts.size == 0:
        strategy = base
    else:
        def move(v):
            a = _push_away(np.array([float(v)]), pts, margin, lo, hi)
            return float(dtype.type(a[0]))

        # A value with no room on either side of a point would leave the range.
        strategy = base.map(move).filter(away_from(avoid, margin)).filter(
            lambda v: lo <= v <= hi)
    try:        # read by arrays(), which moves elements and must keep them in range
        strategy._autograd_core_bounds = (lo, hi)
    except AttributeError:
        pass
    return strategy


def _default_elements(dtype):
    dtype = np.dtype(dtype)
    if _is_float_dtype(dtype):
        return floats(DEFAULT_MIN_VALUE, DEFAULT_MAX_VALUE, dtype)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return hnp.from_dtype(dtype, min_value=max(int(info.min), -10),
                              max_value=min(int(info.max), 10))
    return hnp.from_dtype(dtype)


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Strategy for array shapes (tuples of ints); 0-d ``()`` is included by default.

    A thin wrapper around :func:`hypothesis.extra.numpy.array_shapes` with small
    defaults suitable for gradient checks.
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims,
                            min_side=min_side, max_side=max_side)


def arrays(shape=None, dtype=np.float64, elements=None, min_dims=0, max_dims=3,
           min_side=1, max_side=4, *, avoid=(), margin=DEFAULT_MARGIN, distinct=False):
    """Strategy for NumPy arrays, the data behind :func:`tensors`.

    ``shape`` is an int, a tuple or a strategy of shapes; when ``None`` a shape is
    drawn with :func:`shapes` (``min_dims`` ... ``max_side``).  ``elements``
    defaults to :func:`floats` (finite, in ``[-10, 10]``) for float dtypes and to
    small integers for integer dtypes.  ``avoid`` / ``margin`` keep every element
    ``margin`` away from the given points and ``distinct=True`` (or a float gap)
    spreads the elements so that no two are closer than the gap (``margin`` when
    ``True``); both only for float dtypes, both move elements instead of rejecting.
    """
    dtype = np.dtype(dtype)
    if shape is None:
        shape = shapes(min_dims, max_dims, min_side, max_side)
    elif isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    elif not isinstance(shape, st.SearchStrategy):
        shape = tuple(int(s) for s in shape)
    lo, hi = _bounds_of(elements, dtype) if _is_float_dtype(dtype) else (None, None)
    if elements is None:
        elements = _default_elements(dtype)
    strategy = hnp.arrays(dtype, shape, elements=elements)
    pts = _as_points(avoid)
    gap = None
    if distinct is True:
        gap = margin
    elif distinct not in (False, None):
        gap = float(distinct)
    if pts.size or gap is not None:
        if not _is_float_dtype(dtype):
            raise ValueError("avoid= and distinct= need a floating dtype, got %s" % dtype)
        strategy = strategy.map(lambda a: _fix_array(a, pts, margin, gap, lo, hi))
        strategy = strategy.filter(lambda a: _far_from(a, pts, margin))
        if gap is not None:
            strategy = strategy.filter(lambda a: _gaps_ok(a, gap))
        # Moved elements stay inside the elements' own bounds (where known).
        strategy = strategy.filter(lambda a: _in_range(a, lo, hi))
    return strategy


def _to_tensor(a, requires_grad):
    rg = bool(requires_grad) and _is_float_dtype(a.dtype)
    return ag.tensor(a, requires_grad=rg)


def tensors(shape=None, dtype=np.float64, elements=None, requires_grad=True,
            min_dims=0, max_dims=3, min_side=1, max_side=4, *, avoid=(),
            margin=DEFAULT_MARGIN, distinct=False):
    """Strategy for :class:`autograd_core.Tensor` leaves.

    * ``shape``: an int, a tuple or a strategy of shapes; ``None`` draws one with
      ``min_dims`` ... ``max_side`` (0-d tensors included by default).
    * ``dtype``: the NumPy dtype (default ``float64``, what gradcheck expects).
    * ``elements``: a strategy for the elements; by default finite floats in
      ``[-10, 10]`` without subnormals (small integers for integer dtypes).
      Values must be exactly representable in ``dtype``: for float32 use
      ``floats(..., dtype=np.float32)``.
    * ``requires_grad``: a bool or a strategy of bools; ignored (``False``) for
      integer and bool dtypes, which cannot require grad.
    * ``avoid`` / ``margin``: keep every element ``margin`` away from these points
      (kinks such as 0 for ``relu``), moving offending elements.
    * ``distinct``: ``True`` (gap ``margin``) or a float gap: no two elements are
      closer than the gap, so ``max``/``min`` have no ties.

    Example::

        @given(x=tensors(shape=(2, 3), avoid=0))
        def test_relu(x):
            check_gradients(ag.relu, x)
    """
    data = arrays(shape, dtype, elements, min_dims, max_dims, min_side, max_side,
                  avoid=avoid, margin=margin, distinct=distinct)
    if isinstance(requires_grad, st.SearchStrategy):
        return st.tuples(data, requires_grad).map(lambda p: _to_tensor(*p))
    return data.map(lambda a: _to_tensor(a, requires_grad))


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4,
                         base_shape=()):
    """Strategy for tuples of ``num_shapes`` shapes that broadcast together.

    Built on :func:`hypothesis.extra.numpy.mutually_broadcastable_shapes` (unlike
    :func:`hypothesis.extra.numpy.broadcastable_shapes`, which draws one shape
    compatible with a given one).  Shapes differ in length and contain size-1
    dimensions, so broadcasting is really exercised; ``np.broadcast_shapes(*s)``
    never raises.  All shapes also broadcast with ``base_shape``.
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, base_shape=tuple(base_shape), min_dims=min_dims,
        max_dims=max_dims, min_side=min_side, max_side=max_side,
    ).map(lambda bs: tuple(bs.input_shapes))


def broadcastable_tensors(num_tensors=2, dtype=np.float64, elements=None,
                          requires_grad=True, min_dims=0, max_dims=3, min_side=1,
                          max_side=4, *, avoid=(), margin=DEFAULT_MARGIN, distinct=False):
    """Strategy for tuples of ``num_tensors`` tensors whose shapes broadcast together.

    The shapes come from :func:`broadcastable_shapes`; the other arguments are
    those of :func:`tensors` and apply to every tensor (``elements`` may also be a
    sequence with one strategy per tensor).  Use it for binary ops::

        @given(xy=broadcastable_tensors())
        def test_mul(xy):
            check_gradients(lambda a, b: a * b, *xy)
    """
    if isinstance(elements, (list, tuple)):
        if len(elements) != num_tensors:
            raise ValueError("need one elements strategy per tensor")
        per = list(elements)
    else:
        per = [elements] * num_tensors

    @st.composite
    def _draw(draw):
        shps = draw(broadcastable_shapes(num_tensors, min_dims, max_dims, min_side,
                                         max_side))
        return tuple(
            draw(tensors(s, dtype, e, requires_grad, avoid=avoid, margin=margin,
                         distinct=distinct))
            for s, e in zip(shps, per)
        )

    return _draw()


def _ndim_of(ndim_or_shape):
    if isinstance(ndim_or_shape, (int, np.integer)):
        return int(ndim_or_shape)
    return len(tuple(ndim_or_shape))


def axes(ndim, *, allow_none=True, allow_int=True, allow_tuple=True, min_size=0,
         max_size=None):
    """Strategy for ``axis`` arguments valid for an array with ``ndim`` dimensions.

    ``ndim`` may also be a shape.  Draws ``None``, an int in ``[-ndim, ndim)``
    (negative axes included) and tuples of distinct axes from
    :func:`hypothesis.extra.numpy.valid_tuple_axes` (including the empty tuple,
    which reduces nothing, and negative entries), as NumPy reductions accept.
    ``min_size`` / ``max_size`` bound the tuple lengths.
    """
    ndim = _ndim_of(ndim)
    options = []
    if allow_none:
        options.append(st.none())
    if allow_int and ndim > 0:
        options.append(st.integers(-ndim, ndim - 1))
    if allow_tuple and min_size <= ndim:
        options.append(hnp.valid_tuple_axes(
            ndim, min_size=min_size,
            max_size=ndim if max_size is None else min(max_size, ndim)))
    if not options:
        raise ValueError("no axis is possible with these options for ndim=%d" % ndim)
    return st.one_of(options)


def axis_keepdims(ndim, **axes_kwargs):
    """Strategy for ``(axis, keepdims)`` pairs valid for ``ndim`` (or a shape).

    ``axis`` comes from :func:`axes` (``axes_kwargs`` are passed on) and
    ``keepdims`` is a bool::

        @given(data=st.data())
        def test_sum(data):
            x = data.draw(tensors())
            axis, keepdims = data.draw(axis_keepdims(x.ndim))
            check_gradients(lambda t: t.sum(axis=axis, keepdims=keepdims), x)
    """
    return st.tuples(axes(ndim, **axes_kwargs), st.booleans())


def tensors_with_axes(shape=None, dtype=np.float64, elements=None, requires_grad=True,
                      min_dims=0, max_dims=3, min_side=1, max_side=4, *, avoid=(),
                      margin=DEFAULT_MARGIN, distinct=False, allow_none=True,
                      allow_int=True, allow_tuple=True):
    """Strategy for ``(tensor, axis, keepdims)`` triples for reductions.

    The tensor is drawn with :func:`tensors` (same arguments) and ``axis`` /
    ``keepdims`` with :func:`axis_keepdims` for the drawn tensor's ``ndim``.
    """

    @st.composite
    def _draw(draw):
        t = draw(tensors(shape, dtype, elements, requires_grad, min_dims, max_dims,
                         min_side, max_side, avoid=avoid, margin=margin,
                         distinct=distinct))
        axis, keepdims = draw(axis_keepdims(t.ndim, allow_none=allow_none,
                                            allow_int=allow_int,
                                            allow_tuple=allow_tuple))
        return t, axis, keepdims

    return _draw()


# --------------------------------------------------------------------------- checks

def _float64_input(x):
    """A fresh float64 leaf for a float Tensor/ndarray; anything else unchanged."""
    if isinstance(x, ag.Tensor):
        data = np.asarray(x.data)
        if _is_float_dtype(data.dtype):
            return ag.tensor(np.array(data, dtype=np.float64),
                             requires_grad=bool(x.requires_grad))
        return x
    if isinstance(x, np.ndarray) and _is_float_dtype(x.dtype):
        return ag.tensor(np.array(x, dtype=np.float64), requires_grad=True)
    return x


def check_gradients(fn, *inputs, gradgrad=True, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Run :func:`autograd_core.gradcheck` (and, with ``gradgrad=True``, the default,
    :func:`autograd_core.gradgradcheck`) on ``fn(*inputs)`` in float64.

    Float Tensors are copied into fresh float64 leaves (keeping their
    ``requires_grad``) and float ndarrays become float64 leaves that require
    grad, so the caller's tensors and their ``.grad`` are never touched.  Other
    inputs (integer index tensors, masks, numbers) are passed through unchanged
    and are not differentiated.  On a mismatch the engine's
    :class:`autograd_core.GradcheckError` propagates, naming the input, the
    element and both values.  Returns ``True``.
    """
    args = tuple(_float64_input(x) for x in inputs)
    ag.gradcheck(fn, args, eps=eps, atol=atol, rtol=rtol)
    if gradgrad:
        ag.gradgradcheck(fn, args, eps=eps, atol=atol, rtol=rtol)
    return True


def check_grad(fn, *input_strategies, data, gradgrad=True, **tolerances):
    """Draw one input from each strategy with ``data`` (``st.data()``) and run
    :func:`check_gradients` on ``fn``; returns the drawn inputs as a tuple.

    For tests whose inputs depend on one another::

        @given(data=st.data())
        def test_op(data):
            x = data.draw(tensors())
            check_grad(lambda w: my_op(x, w), tensors(shape=x.shape), data=data)

    ``tolerances`` are ``eps``, ``atol`` and ``rtol`` of :func:`check_gradients`.
    """
    drawn = tuple(data.draw(s, label="input %d" % i) for i, s in enumerate(input_strategies))
    check_gradients(fn, *drawn, gradgrad=gradgrad, **tolerances)
    return drawn


def gradcheck_property(fn, *strategies, gradgrad=True, hypothesis_settings=None,
                       **tolerances):
    """Build a Hypothesis test that gradchecks ``fn`` on inputs drawn from ``strategies``.

    Two forms::

        # a test from an existing function
        test_exp = gradcheck_property(ag.exp, tensors())

        # a decorator: the decorated function *is* the op under test
        @gradcheck_property(tensors(), tensors(avoid=0))
        def test_div(x, y):
            return x / y

    Every example runs :func:`check_gradients` (gradcheck, and gradgradcheck
    unless ``gradgrad=False``).  The test has no Hypothesis deadline (second
    order checks can be slow) and otherwise uses the active settings profile;
    pass ``hypothesis_settings=settings(...)`` to override.
    """
    if isinstance(fn, st.SearchStrategy):
        strategies = (fn,) + strategies

        def decorator(op):
            return gradcheck_property(op, *strategies, gradgrad=gradgrad,
                                      hypothesis_settings=hypothesis_settings,
                                      **tolerances)

        return decorator

    if not strategies:
        raise TypeError("gradcheck_property needs at least one input strategy")
    run_settings = hypothesis_settings or _hyp_settings(deadline=None)

    def test(inputs):
        check_gradients(fn, *inputs, gradgrad=gradgrad, **tolerances)

    name = getattr(fn, "__name__", "fn")
    if not name.startswith("test"):
        name = "test_gradcheck_" + name.strip("<>")
    test.__name__ = test.__qualname__ = name
    test.__doc__ = "Gradient check of %s on drawn inputs." % getattr(fn, "__name__", fn)
    test.__module__ = getattr(fn, "__module__", __name__)
    return run_settings(given(inputs=st.tuples(*strategies))(test))


def check_forward(fn, reference, *inputs, rtol=1e-7, atol=0.0, check_dtype=True):
    """Assert that ``fn(*inputs)`` matches ``reference`` applied to NumPy data.

    ``reference`` receives the inputs with Tensors replaced by their ``.data``
    arrays.  The result must be a Tensor with the reference's shape, values equal
    within ``rtol``/``atol`` (NaNs compare equal), and, unless
    ``check_dtype=False``, the reference's dtype.  Returns the Tensor result.
    """
    out = fn(*inputs)
    expected = np.asarray(reference(*[_data_of(x) if isinstance(x, ag.Tensor) else x
                                      for x in inputs]))
    assert isinstance(out, ag.Tensor), "expected a Tensor, got %r" % type(out)
    got = np.asarray(out.data)
    assert got.shape == expected.shape, "shape %s != expected %s" % (got.shape,
                                                                     expected.shape)
    if check_dtype:
        assert got.dtype == expected.dtype, "dtype %s != expected %s" % (got.dtype,
                                                                         expected.dtype)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    return out

