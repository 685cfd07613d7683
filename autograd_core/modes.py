"""Recording modes: ``no_grad``/``enable_grad``, ``detect_anomaly`` and ``scope``.

All three keep their state per thread, so a ``no_grad`` block in one thread
never changes what another thread records.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar

__all__ = ["no_grad", "enable_grad", "detect_anomaly", "scope",
           "is_grad_enabled", "current_scope"]


class _State(threading.local):
    # Class attributes are the per-thread defaults: a new thread records,
    # has no anomaly detection and sits in no scope.
    grad_enabled = True
    anomaly = False
    scope = None

    def __init__(self):
        # Runs once in every thread that touches the state: per setting, a stack
        # of the values that the ``with`` blocks entered so far replaced.
        self.saved = {"grad_enabled": [], "anomaly": [], "scope": []}


state = _State()

_F = TypeVar("_F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """Return whether operations are being recorded in this thread."""
    return state.grad_enabled


def current_scope() -> str | None:
    """Return the scope path of this thread ("a/b"), or ``None`` outside any scope."""
    return state.scope


class _Mode:
    """A thread-local setting changed inside a ``with`` block, or around a decorated function.

    Subclasses set one attribute of the per-thread state in ``__enter__`` after
    pushing its previous value, which ``__exit__`` restores. The same instance
    may be entered again while active, and from several threads at once.
    """

    _attr: str = ""           # the setting of ``state`` (set by each subclass)

    def __exit__(self, *exc: object) -> Literal[False]:
        setattr(state, self._attr, state.saved[self._attr].pop())
        return False

    def __call__(self, fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]  # same signature as fn


class _GradMode(_Mode):
    """Shared by ``no_grad`` and ``enable_grad``; also a bare decorator (``@ag.no_grad``)."""

    _attr = "grad_enabled"
    _enabled: bool | None = None

    def __new__(cls, fn=None):
        self = super().__new__(cls)
        if fn is not None:                  # used as @no_grad without parentheses
            if not callable(fn):
                raise TypeError(f"{cls.__name__}() takes no arguments")
            return self(fn)
        return self

    def __enter__(self):
        st = state
        st.saved["grad_enabled"].append(st.grad_enabled)
        st.grad_enabled = self._enabled
        return self


class no_grad(_GradMode):
    """Record nothing inside: results have ``requires_grad=False`` and no ``grad_fn``.

    Use as ``with ag.no_grad():`` or as a decorator ``@ag.no_grad()``.
    """

    _enabled = False


class enable_grad(_GradMode):
    """Record again inside a ``no_grad`` block; context manager or decorator."""

    _enabled = True


class detect_anomaly(_Mode):
    """Make a backward that produces NaN or inf raise, naming the op and where it was made.

    While active, every recorded op also remembers the line of user code that
    created it, which costs time: use it for debugging only.
    """

    _attr = "anomaly"

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled

    def __enter__(self):
        st = state
        st.saved["anomaly"].append(st.anomaly)
        st.anomaly = self.enabled
        return self


class scope(_Mode):
    """Tag every node created inside with a name; scopes nest as paths ("mlp/fc1").

    The drawing in ``autograd_core.viz`` turns scopes into clusters.
    """

    _attr = "scope"

    def __init__(self, name: str) -> None:
        name = str(name)
        if not name:
            raise ValueError("scope name must be a non-empty string")
        self.name = name

    def __enter__(self):
        st = state
        outer = st.scope
        st.saved["scope"].append(outer)
        st.scope = self.name if outer is None else outer + "/" + self.name
        return self
