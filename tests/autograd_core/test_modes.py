"""Recording modes: no_grad / enable_grad, detect_anomaly and scope."""
import inspect
import os
import threading

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor

THIS_FILE = os.path.basename(__file__)


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def recorded(t):
    return t.requires_grad and t.grad_fn is not None


def not_recorded(t):
    return not t.requires_grad and t.grad_fn is None and t.is_leaf


# --------------------------------------------------------------------------- #
# no_grad / enable_grad
# --------------------------------------------------------------------------- #

def test_no_grad_context():
    x = leaf([1.0, 2.0])
    with ag.no_grad():
        y = x * 2
        z = (y + x).exp().sum()
    assert not_recorded(y) and not_recorded(z)
    np.testing.assert_allclose(y.data, [2.0, 4.0])
    assert recorded(x * 2)


def test_no_grad_decorator():
    x = leaf([1.0, 2.0])

    @ag.no_grad()
    def f(t):
        return t * 2

    assert not_recorded(f(x))
    assert f.__name__ == "f"
    assert recorded(x * 2)


def test_enable_grad_inside_no_grad():
    x = leaf([1.0, 2.0])
    with ag.no_grad():
        with ag.enable_grad():
            y = x * 2
        z = x * 2
    assert recorded(y)
    assert not_recorded(z)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_enable_grad_decorator_inside_no_grad():
    x = leaf([1.0])

    @ag.enable_grad()
    def f(t):
        return t * 2

    with ag.no_grad():
        y = f(x)
        z = x * 2
    assert recorded(y) and not_recorded(z)


def test_nested_no_grad_restores_on_exit():
    x = leaf([1.0])
    with ag.no_grad():
        with ag.no_grad():
            pass
        assert not_recorded(x * 2)     # still inside the outer no_grad
        with ag.enable_grad():
            with ag.no_grad():
                assert not_recorded(x * 2)
            assert recorded(x * 2)
        assert not_recorded(x * 2)
    assert recorded(x * 2)


def test_no_grad_restored_after_exception():
    x = leaf([1.0])
    with pytest.raises(KeyError):
        with ag.no_grad():
            raise KeyError("boom")
    assert recorded(x * 2)

    @ag.no_grad()
    def bad():
        raise KeyError("boom")

    with pytest.raises(KeyError):
        bad()
    assert recorded(x * 2)


def test_backward_inside_no_grad_still_computes_grads():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with ag.no_grad():
        y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


def test_no_grad_is_thread_local():
    # main thread and worker interleave deterministically:
    #   main enters no_grad -> worker records -> main checks it does not record
    x = leaf([1.0, 2.0])
    main_in_no_grad = threading.Event()
    worker_done = threading.Event()
    result = {}

    def worker():
        main_in_no_grad.wait(5)
        try:
            result["worker"] = x * 2
        finally:
            worker_done.set()

    th = threading.Thread(target=worker)
    th.start()
    with ag.no_grad():
        main_in_no_grad.set()
        assert worker_done.wait(5)
        result["main"] = x * 2
    th.join(5)
    assert recorded(result["worker"])
    assert not_recorded(result["main"])


def test_no_grad_in_worker_does_not_leak_into_main():
    x = leaf([1.0])
    barrier = threading.Barrier(2, timeout=5)
    result = {}

    def worker():
        with ag.no_grad():
            barrier.wait()      # 1: worker is inside no_grad
            barrier.wait()      # 2: main has recorded
            result["worker"] = x * 2

    th = threading.Thread(target=worker)
    th.start()
    barrier.wait()
    result["main"] = x * 2
    barrier.wait()
    th.join(5)
    assert recorded(result["main"])
    assert not_recorded(result["worker"])


def test_new_thread_records_by_default():
    x = leaf([1.0])
    result = {}
    with ag.no_grad():
        th = threading.Thread(target=lambda: result.setdefault("y", x * 2))
        th.start()
        th.join(5)
    assert recorded(result["y"])


# --------------------------------------------------------------------------- #
# detect_anomaly
# --------------------------------------------------------------------------- #

@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_inf_names_op_and_creation_site():
    x = leaf(0.0)
    with ag.detect_anomaly():
        line = inspect.currentframe().f_lineno + 1
        y = x.sqrt()                      # d/dx sqrt(x) at 0 is inf
        with pytest.raises(RuntimeError) as info:
            y.backward()
    msg = str(info.value)
    assert "sqrt" in msg.lower(), msg
    assert THIS_FILE in msg, msg
    assert str(line) in msg, msg


class _NaNBackward(ag.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1.0

    @staticmethod
    def backward(ctx, g):
        return g * float("nan")


def test_detect_anomaly_nan_from_custom_function():
    x = leaf([1.0, 2.0])
    with ag.detect_anomaly():
        line = inspect.currentframe().f_lineno + 1
        y = (_NaNBackward.apply(x) * 3).sum()
        with pytest.raises(RuntimeError) as info:
            y.backward()
    msg = str(info.value)
    assert "_nanbackward" in msg.lower(), msg
    assert THIS_FILE in msg and str(line) in msg, msg


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_without_detect_anomaly_no_error():
    x = leaf(0.0)
    x.sqrt().backward()
    assert np.isinf(x.grad.item())
    x = leaf([1.0])
    (_NaNBackward.apply(x)).sum().backward()
    assert np.isnan(x.grad.data).all()


def test_detect_anomaly_quiet_on_finite_grads():
    x = leaf([1.0, 4.0])
    with ag.detect_anomaly():
        x.sqrt().sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.5, 0.25])


# --------------------------------------------------------------------------- #
# scope
# --------------------------------------------------------------------------- #

def test_scope_tags_nodes_and_nests():
    x = leaf([1.0, 2.0])
    outside = x * 2
    with ag.scope("mlp"):
        a = x * 2
        with ag.scope("fc1"):
            b = a.exp()
            c = b + a
        with ag.scope("fc2"):
            d = c.sum()
        e = d * 2
    f = e + 1
    assert outside.grad_fn.scope in (None, "")
    assert a.grad_fn.scope == "mlp"
    assert b.grad_fn.scope == "mlp/fc1"
    assert c.grad_fn.scope == "mlp/fc1"
    assert d.grad_fn.scope == "mlp/fc2"
    assert e.grad_fn.scope == "mlp"
    assert f.grad_fn.scope in (None, "")
    f.backward()    # scopes don't change gradients
    np.testing.assert_allclose(x.grad.data, 2 * (2 * np.exp([2.0, 4.0]) + 2))


def test_scope_restored_after_exception():
    x = leaf([1.0])
    with pytest.raises(KeyError):
        with ag.scope("a"):
            raise KeyError("boom")
    assert (x * 2).grad_fn.scope in (None, "")


def test_scope_tags_custom_function_nodes():
    x = leaf([1.0])
    with ag.scope("outer"), ag.scope("inner"):
        y = _NaNBackward.apply(x)
    assert y.grad_fn.scope == "outer/inner"


def test_scope_is_thread_local():
    x = leaf([1.0])
    barrier = threading.Barrier(2, timeout=5)
    result = {}

    def worker():
        barrier.wait()          # main is inside its scope
        result["worker"] = x * 2
        barrier.wait()

    th = threading.Thread(target=worker)
    th.start()
    with ag.scope("main"):
        barrier.wait()
        barrier.wait()          # worker has recorded
        result["main"] = x * 2
    th.join(5)
    assert result["main"].grad_fn.scope == "main"
    assert result["worker"].grad_fn.scope in (None, "")


def run_in_thread(fn):
    """Run ``fn`` in a fresh thread (modes are thread-local: a leak dies with it)."""
    errors = []

    def target():
        try:
            fn()
        except BaseException as e:   # re-raised in the calling thread
            errors.append(e)

    th = threading.Thread(target=target)
    th.start()
    th.join(10)
    if errors:
        raise errors[0]


def test_reentering_the_same_instance_restores_state():
    # no_grad keeps a stack for this; scope and detect_anomaly must too
    run_in_thread(_reenter_body)


def _reenter_body():
    x = leaf([1.0])
    ng = ag.no_grad()
    with ng:
        with ng:
            pass
        assert not_recorded(x * 2)
    assert recorded(x * 2)

    s = ag.scope("blk")
    with s:
        with s:
            assert (x * 2).grad_fn.scope == "blk/blk"
        assert (x * 2).grad_fn.scope == "blk"
    assert (x * 2).grad_fn.scope in (None, "")

    d = ag.detect_anomaly()
    with d:
        with d:
            pass
    z = leaf(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z.sqrt().backward()               # anomaly mode must be off again: no error
    assert np.isinf(z.grad.item())
