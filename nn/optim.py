"""Optimisers: ``SGD``, ``Adam`` and ``AdamW``, with PyTorch's update equations.

Each optimiser holds ``param_groups`` (a list of dicts: the hyper-parameters
plus ``"params"``, a list of Tensors) and a per-parameter ``state``. ``step()``
updates every parameter whose ``.grad`` is not ``None``, in place, on its NumPy
``data`` (nothing is recorded in the graph); ``zero_grad()`` sets the
gradients to ``None``. Hyper-parameters can be changed between steps::

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt.param_groups[0]["lr"] = 0.01          # e.g. a schedule

``params`` is an iterable of Tensors (``Parameter`` s), or of dicts each holding
``"params"`` and any per-group options (those not given take the defaults)::

    optim.Adam([{"params": body.parameters()},
                {"params": head.parameters(), "lr": 1e-2}], lr=1e-3)

A ``Module`` is not a parameter list (pass ``model.parameters()``), nor is a bare
Tensor (wrap it in a list); both are a ``TypeError`` saying so. Hyper-parameters
are real numbers: a string, ``None``, a list or a bool is a ``TypeError`` naming
the optimiser and the option, a number out of range a ``ValueError``.

``state_dict()`` has PyTorch's structure: ``{"state": {index: {name: array or
number}}, "param_groups": [{option: value, ..., "params": [indices]}]}``, the
indices numbering the parameters through all groups in order. It holds copies,
so it is a snapshot; ``load_state_dict`` restores one into an optimiser built
over parameters of the same shapes. The state arrays are always ``ndarray`` s
shaped like their parameter, also for a 0-d parameter, and ``nn.save`` /
``nn.load`` write and read a state dict as it is.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

import autograd_core as ag

from . import _checks
from .module import Module, zero_grads

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]


def _not_params_hint(owner, params):
    """The TypeError for a Module or a bare Tensor given where parameters are expected."""
    if isinstance(params, Module):
        return TypeError(f"{owner} got a Module ({type(params).__name__}) as params: pass "
                         "its parameters, e.g. model.parameters()")
    return TypeError(f"{owner}: params should be an iterable of Tensors or of dicts, got "
                     "a single Tensor: wrap it in a list ([tensor])")


def _kind(params):
    """The type of something that is not a parameter list, and a hint when it is
    ``model.parameters`` without the call."""
    hint = " (call it: model.parameters())" if callable(params) else ""
    return type(params).__name__ + hint


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad`` and state dicts.

    Subclasses set ``defaults`` (a dict of hyper-parameters), check each group in
    ``_check_group`` and implement ``step``.
    """

    # names of per-parameter state arrays shaped like the parameter
    _array_state: tuple[str, ...] = ()

    def __init__(self, params: Iterable[ag.Tensor | dict[str, Any]],
                 defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        # param (a Tensor, hashed by identity) -> its state dict
        self.state: dict[ag.Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        owner = type(self).__name__
        if isinstance(params, (ag.Tensor, Module)):
            raise _not_params_hint(owner, params)
        if isinstance(params, dict):
            params = [params]
        try:
            groups: list[Any] = list(params)
        except TypeError:
            raise TypeError(f"{owner}: params should be an iterable of Tensors or of dicts, "
                            f"got {_kind(params)}") from None
        if not groups:
            raise ValueError(f"{owner} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a dict ``{"params": [...], option: value, ...}`` (missing options take
        the defaults given to the constructor)."""
        if not isinstance(group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(group).__name__}")
        if "params" not in group:
            raise ValueError("a parameter group needs a 'params' entry")
        params = group["params"]
        owner = type(self).__name__
        if isinstance(params, ag.Tensor):
            params = [params]
        elif isinstance(params, Module):
            raise _not_params_hint(owner, params)
        elif isinstance(params, (set, frozenset)):
            raise TypeError("parameters must be given in a fixed order (a list, not a set)")
        try:
            params = list(params)
        except TypeError:
            raise TypeError(f"{owner}: a group's 'params' should be an iterable of "
                            f"Tensors, got {_kind(params)}") from None
        if not params:
            raise ValueError(f"{owner} got a parameter group with no parameters")
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} for "
                             f"{owner}; known: {sorted(self.defaults)}")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if isinstance(p, Module):
                raise TypeError(f"{owner} can only optimise Tensors, but parameter {i} is "
                                f"a Module ({type(p).__name__}): pass model.parameters()")
            if not isinstance(p, ag.Tensor):
                raise TypeError(f"{owner} can only optimise Tensors, but "
                                f"parameter {i} is a {type(p).__name__}")
            if p.dtype.kind != "f":
                raise ValueError(f"{owner} can only optimise floating-point "
                                 f"tensors, but parameter {i} has dtype {p.dtype}")
            if p.grad_fn is not None:       # not a leaf
                raise ValueError(f"{owner} can't optimise a non-leaf "
                                 f"tensor (parameter {i} was made by "
                                 f"{p.grad_fn.name}); pass leaves (Parameters)")
            if id(p) in seen:
                raise ValueError(f"parameter {i} appears more than once in "
                                 f"{owner}'s parameter groups")
            seen.add(id(p))
        new = dict(self.defaults)
        new.update({k: v for k, v in group.items() if k != "params"})
        new["params"] = params
        self._check_group(new)
        self.param_groups.append(new)

    def _check_group(self, group):
        _checks.number(type(self).__name__, "learning rate lr", group["lr"])

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (the default), or to
        zeros in place with ``set_to_none=False``."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self) -> None:
        """Update every parameter that has a gradient (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__} does not define step()")

    # -- helpers for subclasses --------------------------------------------------
    def _params_with_grad(self, group):
        """(param, data array, grad array, state dict) for each param that has a grad."""
        for p in group["params"]:
            if p.grad is None:
                continue
            g = np.asarray(p.grad)
            if g.shape != p.data.shape:
                raise RuntimeError(f"gradient of shape {g.shape} for a parameter of "
                                   f"shape {p.data.shape}")
            if g.dtype != p.data.dtype:
                g = g.astype(p.data.dtype)
            yield p, p.data, g, self.state.setdefault(p, {})

    # -- state dicts ---------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """A snapshot: ``{"state": {index: {...}}, "param_groups": [{...,
        "params": [indices]}]}`` (copies of the state arrays)."""
        index, groups, state = 0, [], {}
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                ids.append(index)
                if self.state.get(p):
                    state[index] = {k: (v.copy() if isinstance(v, np.ndarray) else v)
                                    for k, v in self.state[p].items()}
                index += 1
            packed["params"] = ids
            groups.append(packed)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyper-parameters and state saved by ``state_dict()`` (copied in).

        Everything is checked first, so on an error (other group sizes or shapes, a
        malformed dict, the state dict of another kind of optimiser: ``ValueError``;
        an option that is not a number: ``TypeError``) this optimiser is left as it
        was."""
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError("expected a dict with keys 'state' and 'param_groups', "
                             "as made by state_dict()")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"the state dict has {len(saved_groups)} parameter group(s), "
                             f"this optimiser {len(self.param_groups)}")
        owner = type(self).__name__
        by_index: dict[int, Any] = {}
        for gi, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), list):
                raise ValueError(f"{owner}.load_state_dict: parameter group {gi} of the "
                                 "state dict is not a dict with a 'params' list")
            # Options of another kind and none of some of ours: another optimiser's
            # state dict, whose state would fail (or mislead) in step(). An extra key
            # alone (one a schedule adds to a group) is kept, as in PyTorch.
            unknown = set(saved) - set(self.defaults) - {"params"}
            if unknown and set(self.defaults) - set(saved):
                raise ValueError(f"{owner}.load_state_dict: parameter group {gi} has "
                                 f"option(s) {sorted(unknown)} that {owner} does not have "
                                 f"and lacks {sorted(set(self.defaults) - set(saved))} (the "
                                 "state dict of another optimiser?)")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"parameter group {gi} has {len(group['params'])} "
                                 f"parameters, the state dict's {len(saved['params'])}")
            by_index.update(zip(saved["params"], group["params"]))
        if not isinstance(state_dict["state"], dict) or not all(
                isinstance(st, dict) for st in state_dict["state"].values()):
            raise ValueError(f"{owner}.load_state_dict: 'state' must map parameter "
                             "indices to dicts, as made by state_dict()")
        new_state = {}
        for idx, st in state_dict["state"].items():
            idx = int(idx)
            if idx not in by_index:
                raise ValueError(f"the state dict has state for parameter {idx}, "
                                 "which none of its groups lists")
            p = by_index[idx]
            restored = {}
            for k, v in st.items():
                if isinstance(v, (np.ndarray, ag.Tensor)) or k in self._array_state:
                    # Always an ndarray (a copy, in the parameter's dtype), even for a 0-d
                    # parameter: step() updates these in place.
                    try:
                        v = np.array(v.data if isinstance(v, ag.Tensor) else v,
                                     dtype=p.dtype)
                    except (TypeError, ValueError) as exc:
                        raise ValueError(f"{owner}.load_state_dict: state "
                                         f"{k!r} of parameter {idx} is not an array of "
                                         f"numbers ({exc})") from None
                    if v.shape != p.shape:
                        raise ValueError(f"state {k!r} of parameter {idx} has shape "
                                         f"{v.shape}, the parameter {p.shape}")
                restored[k] = v
            new_state[p] = restored
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            new = dict(group)
            new.update({k: v for k, v in saved.items() if k != "params"})
            self._check_group(new)
            new_groups.append(new)
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(group):
                if k != "params":
                    lines.append(f"    {k}: {group[k]}")
        lines.append(")")
        return "\n".join(lines)


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov and weight decay.

    As ``torch.optim.SGD``: ``g = grad + weight_decay * p``; with momentum,
    ``buf = g`` on the first step, then ``buf = momentum * buf + (1 - dampening) * g``,
    and ``g = g + momentum * buf`` (Nesterov) or ``g = buf``; then ``p -= lr * g``.

    The positional order is the contract's, ``SGD(params, lr, momentum, nesterov,
    weight_decay)``, which differs from PyTorch's after ``momentum``: ``dampening``
    is keyword-only, and ``nesterov`` must be a bool, so a PyTorch-style positional
    call (``SGD(p, 0.1, 0.9, 0.5)``, meaning dampening 0.5) is an error, not a
    silently different optimiser.
    """

    _array_state = ("momentum_buffer",)

    def __init__(self, params: Iterable[ag.Tensor | dict[str, Any]], lr: float,
                 momentum: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0, *,
                 dampening: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      nesterov=nesterov, weight_decay=weight_decay))

    def _check_group(self, group):
        super()._check_group(group)
        owner = type(self).__name__
        _checks.number(owner, "momentum", group["momentum"])
        _checks.number(owner, "dampening", group["dampening"])
        _checks.number(owner, "weight_decay", group["weight_decay"])
        if not isinstance(group["nesterov"], (bool, np.bool_)):
            raise TypeError(f"nesterov must be a bool, got {group['nesterov']!r} (SGD's "
                            "arguments are (params, lr, momentum, nesterov, weight_decay); "
                            "pass dampening by keyword)")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        with ag.no_grad():
            for group in self.param_groups:
                lr, mom, damp = group["lr"], group["momentum"], group["dampening"]
                wd, nesterov = group["weight_decay"], group["nesterov"]
                for p, data, g, st in self._params_with_grad(group):
                    if wd != 0:
                        g = g + wd * data
                    if mom != 0:
                        buf = st.get("momentum_buffer")
                        if buf is None:
                            # np.array, not g.copy(): for a 0-d parameter ``g + wd * data``
                            # is a NumPy scalar, and ``buf *= mom`` on a scalar would
                            # rebind the name instead of updating the stored buffer.
                            buf = st["momentum_buffer"] = np.array(g, dtype=data.dtype)
                        else:
                            buf *= mom
                            buf += (1 - damp) * g
                        g = g + mom * buf if nesterov else buf
                    # Through the Tensor, not its array: the write bumps the
                    # parameter's version, so a backward through a graph made
                    # before this step refuses to run instead of using new values.
                    p.sub_(g, alpha=lr)


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction, as ``torch.optim.Adam``.

    ``weight_decay`` is an L2 penalty added to the gradient (``g + wd * p``);
    for decoupled decay use ``AdamW``. ``amsgrad=True`` keeps the running
    maximum of the second moment.
    """

    _decoupled = False
    _array_state = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(self, params: Iterable[ag.Tensor | dict[str, Any]], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad))

    def _check_group(self, group):
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"invalid betas: {betas!r} (expected a pair (beta1, beta2))")
        owner = type(self).__name__
        _checks.number(owner, "beta1 (betas[0])", betas[0], 0.0, 1.0, high_open=True)
        _checks.number(owner, "beta2 (betas[1])", betas[1], 0.0, 1.0, high_open=True)
        group["betas"] = (float(betas[0]), float(betas[1]))
        _checks.number(owner, "eps", group["eps"])
        _checks.number(owner, "weight_decay", group["weight_decay"])

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        with ag.no_grad():
            for group in self.param_groups:
                lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
                wd, amsgrad = group["weight_decay"], group["amsgrad"]
                for p, data, g, st in self._params_with_grad(group):
                    if not st:
                        st["step"] = 0
                        st["exp_avg"] = np.zeros_like(data)
                        st["exp_avg_sq"] = np.zeros_like(data)
                        if amsgrad:
                            st["max_exp_avg_sq"] = np.zeros_like(data)
                    st["step"] += 1
                    step = st["step"]
                    if wd != 0:
                        if self._decoupled:
                            p.mul_(1 - lr * wd)
                        else:
                            g = g + wd * data
                    m, v = st["exp_avg"], st["exp_avg_sq"]
                    m += (1 - beta1) * (g - m)                # m.lerp_(g, 1 - beta1)
                    v *= beta2
                    v += (1 - beta2) * (g * g)
                    bias_correction1 = 1 - beta1 ** step
                    bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
                    if amsgrad:
                        vmax = st.setdefault("max_exp_avg_sq", np.zeros_like(data))
                        np.maximum(vmax, v, out=vmax)
                        v = vmax
                    denom = np.sqrt(v)
                    denom /= bias_correction2_sqrt
                    denom += eps
                    p.sub_(m / denom, alpha=lr / bias_correction1)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    each step first shrinks ``p *= 1 - lr * weight_decay``, then takes the Adam step
    on the plain gradient."""

    _decoupled = True

    def __init__(self, params: Iterable[ag.Tensor | dict[str, Any]], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
