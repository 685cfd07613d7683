"""Recording modes: ``no_grad``/``enable_grad``, ``detect_anomaly`` and ``scope``.

All three keep their state per thread, so a ``no_grad`` block in one thread
never changes what another thread records.
"""
import functools
import threading

__all__ = ["no_grad", "enable_grad", "detect_anomaly", "scope",
           "is_grad_enabled", "current_scope"]


class _State(threading.local):
    # Class attributes are the per-thread defaults: a new thread records,
    # has no anomaly detection and sits in no scope.
    grad_enabled = True
    anomaly = False
    scope = None


state = _State()


def is_grad_enabled():
    """Return whether operations are being recorded in this thread."""
    return state.grad_enabled


def current_scope():
    """Return the scope path of this thread ("a/b"), or ``None`` outside any scope."""
    return state.scope


class _GradMode:
    """Shared machinery of ``no_grad`` and ``enable_grad``: context manager and decorator."""

    _enabled = None

    def __enter__(self):
        # A stack of previous values lets one instance be entered re-entrantly.
        self.__dict__.setdefault("_prev", []).append(state.grad_enabled)
        state.grad_enabled = self._enabled
        return self

    def __exit__(self, *exc):
        state.grad_enabled = self._prev.pop()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Record nothing inside: results have ``requires_grad=False`` and no ``grad_fn``.

    Use as ``with ag.no_grad():`` or as a decorator ``@ag.no_grad()``.
    """

    _enabled = False


class enable_grad(_GradMode):
    """Record again inside a ``no_grad`` block; context manager or decorator."""

    _enabled = True


class detect_anomaly:
    """Make a backward that produces NaN or inf raise, naming the op and where it was made.

    While active, every recorded op also remembers the line of user code that
    created it, which costs time: use it for debugging only.
    """

    def __init__(self, enabled=True):
        self.enabled = enabled

    def __enter__(self):
        self._prev = state.anomaly
        state.anomaly = self.enabled
        return self

    def __exit__(self, *exc):
        state.anomaly = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.enabled):
                return fn(*args, **kwargs)
        return wrapper


class scope:
    """Tag every node created inside with a name; scopes nest as paths ("mlp/fc1").

    The drawing in ``autograd_core.viz`` turns scopes into clusters.
    """

    def __init__(self, name):
        name = str(name)
        if not name:
            raise ValueError("scope name must be a non-empty string")
        self.name = name

    def __enter__(self):
        self._prev = state.scope
        state.scope = self.name if self._prev is None else f"{self._prev}/{self.name}"
        return self

    def __exit__(self, *exc):
        state.scope = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with scope(self.name):
                return fn(*args, **kwargs)
        return wrapper
