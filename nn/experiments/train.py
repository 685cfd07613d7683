"""A training loop with a fixed step budget that returns tidy rows.

Every random draw of a task comes from its seed through ``task_rngs``: the
model's initial weights, the order of the mini-batches (and any dropout masks
a model makes from the model generator). Nothing reads NumPy's global state,
so a task gives the same numbers in any process, on any backend.

``train`` returns ``(step_rows, final_row)``:

- step rows, one per optimiser step ``s`` (1-based): ``{"kind": "step", "step": s,
  "train_loss": loss of that step's mini-batch, computed before the update}``;
  every ``eval_every`` steps (and at the last one) the row also holds
  ``val_loss`` and ``val_acc``, measured after the update (on at most the
  first ``val_eval_cap`` validation samples, so MNIST's 10,000 stay cheap).
- the final row: ``{"kind": "final", "step": steps done, "steps_budget",
  "diverged", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss",
  "test_acc", "time_s", "time_per_step_s"}``, losses and accuracies measured
  in eval mode on whole sets (the training set capped at ``train_eval_cap``
  samples, a fixed subset).

A NaN or infinite mini-batch loss stops training: that step's row stores
``train_loss: None`` and the final row ``diverged: True``, its metrics measured
with the parameters of the last good step. Any non-finite measurement is
stored as ``None`` (JSON has no NaN).
"""
import math
import time

import numpy as np

import autograd_core as ag

from .. import functional as F
from .. import optim
from ..data import DataLoader

__all__ = ["DTYPE", "task_rngs", "finite", "evaluate", "train", "mlp_cost"]

DTYPE = np.float32          # every experiment computes in float32


def mlp_cost(config, quick):
    """Relative running time of training an MLP task (orders the work, longest first):
    steps times depth, wider layers costing more."""
    return config["steps"] * config["depth"] * (1 + config["width"] / 64)


def task_rngs(seed):
    """``(model_rng, data_seed)`` for a task's seed: a Generator for the weights
    and an int for the loader's shuffling, independent streams of one seed."""
    model_seq, data_seq = np.random.SeedSequence(int(seed)).spawn(2)
    return np.random.default_rng(model_seq), int(data_seq.generate_state(1)[0])


def finite(value):
    """``float(value)``, or ``None`` when it is NaN or infinite (JSON has neither)."""
    value = float(value)
    return value if math.isfinite(value) else None


def evaluate(model, X, y, batch_size=512):
    """``(mean cross-entropy, accuracy)`` of ``model`` on ``(X, y)`` in eval mode,
    each ``None`` when not finite (outputs holding NaN have no accuracy)."""
    was_training = model.training
    model.eval()
    loss_sum, correct, nan_rows = 0.0, 0, 0
    try:
        with ag.no_grad(), np.errstate(all="ignore"):
            for i in range(0, len(X), batch_size):
                xb = ag.tensor(np.array(X[i:i + batch_size], dtype=DTYPE))
                yb = np.asarray(y[i:i + batch_size])
                out = model(xb)
                loss_sum += float(F.cross_entropy(out, ag.tensor(yb), reduction="sum").data)
                logits = out.data
                nan_rows += int(np.isnan(logits).any(axis=1).sum())
                correct += int((logits.argmax(axis=1) == yb).sum())
    finally:
        model.train(was_training)
    acc = None if nan_rows else correct / len(X)
    return finite(loss_sum / len(X)), acc


def make_optimizer(name, params, lr):
    """"sgd" (momentum 0.9) or "adam" (PyTorch's defaults) over ``params``."""
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}; expected 'sgd' or 'adam'")


def train(model, split, *, lr, steps, data_seed, optimizer="sgd", batch_size=64,
          eval_every=50, train_eval_cap=5000, val_eval_cap=2000, on_step=None):
    """Train ``model`` (logits out) on ``split`` for ``steps`` optimiser steps with
    cross-entropy; return ``(step_rows, final_row)`` as described in the module
    docstring. ``on_step(step, model)``, if given, runs after each update."""
    opt = make_optimizer(optimizer, model.parameters(), lr)
    loader = DataLoader(split.X_train, split.y_train, batch_size=batch_size, shuffle=True,
                        seed=data_seed, drop_last=True, dtype=DTYPE)
    rows, step, diverged = [], 0, False
    model.train()
    start = time.perf_counter()
    # Overflow in a deep net that blows up is an outcome to record, not to print.
    with np.errstate(all="ignore"):
        while step < steps and not diverged:
            for xb, yb in loader:
                loss = F.cross_entropy(model(xb), yb)
                value = float(loss.data)
                if not math.isfinite(value):
                    rows.append({"kind": "step", "step": step + 1, "train_loss": None})
                    diverged = True
                    break
                opt.zero_grad()
                loss.backward()
                opt.step()
                step += 1
                row = {"kind": "step", "step": step, "train_loss": value}
                if step % eval_every == 0 or step == steps:
                    row["val_loss"], row["val_acc"] = evaluate(
                        model, split.X_val[:val_eval_cap], split.y_val[:val_eval_cap])
                rows.append(row)
                if on_step is not None:
                    on_step(step, model)
                if step >= steps:
                    break
    elapsed = time.perf_counter() - start
    n = min(len(split.X_train), train_eval_cap)
    final = {"kind": "final", "step": step, "steps_budget": steps, "diverged": diverged}
    final["train_loss"], final["train_acc"] = evaluate(model, split.X_train[:n],
                                                       split.y_train[:n])
    final["val_loss"], final["val_acc"] = evaluate(model, split.X_val, split.y_val)
    final["test_loss"], final["test_acc"] = evaluate(model, split.X_test, split.y_test)
    final["time_s"] = elapsed
    final["time_per_step_s"] = elapsed / step if step else None
    return rows, final
