"""A small training loop: ``fit``, ``evaluate``, ``predict`` and ``accuracy``.

::

    from nn import data, optim, training
    loader = data.DataLoader(X_train, y_train, batch_size=64, shuffle=True, seed=0)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    history = training.fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=20,
                           val_data=(X_test, y_test))
    history["val_accuracy"][-1]

``fit(..., monitor=nn.diagnostics.GradientMonitor(model))`` also records per-layer
gradient and activation statistics: the monitor's ``step()`` runs after each
optimizer step.

``model`` is any callable mapping a batch Tensor to outputs; ``parameters()``
is not needed here (the optimiser holds them), and ``train()``/``eval()`` and
``training`` are used when the model has them (``nn.Module`` does).
``loss_fn(outputs, targets)`` returns a scalar Tensor averaged over the batch
(the losses' default ``reduction="mean"``); epoch losses are averages over
samples, weighting each batch by its size.

Accuracy: for outputs of shape ``(batch, classes)`` with ``classes >= 2``, the
fraction where ``argmax`` equals the integer target; for a single logit per
sample (shape ``(batch,)`` or ``(batch, 1)``), the fraction where ``logit > 0``
agrees with ``target > 0.5`` (0/1 targets, for ``BCEWithLogitsLoss``). Other
shapes (regression) give ``nan``. Outputs holding NaN have no meaningful argmax
(NumPy picks the first NaN), so an accuracy over any NaN output is ``nan``, not a
number computed from it; ``evaluate`` also warns (``RuntimeWarning``) saying how
many samples had NaN outputs.

Non-finite losses: ``fit`` checks each batch's loss before ``backward`` and the
optimiser step. By default (``on_nonfinite="raise"``) a NaN or infinite loss
raises ``NonFiniteLossError``, a ``FloatingPointError`` naming the epoch and the
batch (both counted from 0, as ``callback``'s ``epoch``), with the parameters
and buffers (running statistics) left as they were before that batch.
``on_nonfinite="warn"`` warns (``RuntimeWarning``) instead and skips that batch:
no step, and it is left out of the epoch's loss and accuracy.

Nothing here draws random numbers, so a seeded model and a seeded loader train
to the same parameters, bit for bit.
"""
import contextlib
import math
import warnings

import numpy as np

import autograd_core as ag

from .data import DataLoader

__all__ = ["fit", "evaluate", "predict", "accuracy", "NonFiniteLossError"]

_ON_NONFINITE = ("raise", "warn")


class NonFiniteLossError(FloatingPointError):
    """Raised by ``fit`` when a batch's loss is NaN or infinite, before the optimiser
    step that would spread it into every parameter.

    Attributes: ``epoch`` and ``batch`` (counted from 0 within this ``fit`` call)
    and ``loss`` (the value, a float).
    """

    def __init__(self, message, epoch, batch, loss):
        super().__init__(message)
        self.epoch, self.batch, self.loss = epoch, batch, loss

    def __reduce__(self):
        # All four arguments: pickling (a worker process) and copy keep the fields.
        return type(self), (str(self), self.epoch, self.batch, self.loss)


def _raw(x):
    return x.data if isinstance(x, ag.Tensor) else np.asarray(x)


def _count_correct(outputs, targets):
    """(correct, n, n_nan) for classification outputs, or None when accuracy is
    undefined; ``n_nan`` counts the samples whose outputs hold a NaN."""
    out, tgt = _raw(outputs), _raw(targets)
    n = out.shape[0] if out.ndim else 0
    if out.ndim == 2 and out.shape[1] >= 2 and tgt.shape == (n,):
        pred = out.argmax(axis=1)
    elif out.ndim in (1, 2) and out.shape in ((n,), (n, 1)) and tgt.shape in ((n,), (n, 1)):
        out = out.reshape(n, 1)
        pred, tgt = out[:, 0] > 0, tgt.reshape(n) > 0.5
    else:
        return None
    n_nan = int(np.count_nonzero(np.isnan(out).any(axis=1))) if out.dtype.kind == "f" else 0
    return int(np.count_nonzero(pred == tgt)), n, n_nan


def accuracy(outputs, targets):
    """Classification accuracy of ``outputs`` (logits) against ``targets`` (see the
    module docstring); ``nan`` when the shapes are not those of a classifier, or
    when any output is NaN."""
    counted = _count_correct(outputs, targets)
    if counted is None or counted[1] == 0 or counted[2]:
        return math.nan
    return counted[0] / counted[1]


def _set_mode(model, training):
    method = getattr(model, "train" if training else "eval", None)
    if callable(method):
        method()


@contextlib.contextmanager
def _restoring_mode(model):
    """On leaving, put ``model`` back in the train/eval mode it was in (when it has one)."""
    was_training = getattr(model, "training", None)
    try:
        yield
    finally:
        if was_training is not None:
            _set_mode(model, was_training)


def _param_dtype(model):
    """The dtype of the model's first floating parameter (None: it has none to ask)."""
    params = getattr(model, "parameters", None)
    if callable(params):
        for p in params():
            if p.dtype.kind == "f":
                return p.dtype
    return None


def _as_batches(data, batch_size, model=None):
    """A re-iterable of (xb, yb) pairs: loaders pass through, an (X, y) tuple is wrapped
    (floating X taking the model's parameter dtype, so a float64 model sees float64)."""
    if isinstance(data, tuple):
        if len(data) != 2:
            raise ValueError(f"expected an (X, y) pair, got a tuple of {len(data)} items")
        return DataLoader(data[0], data[1], batch_size=batch_size, dtype=_param_dtype(model))
    if hasattr(data, "__next__") or not hasattr(data, "__iter__"):
        raise TypeError("expected a DataLoader (or another re-iterable of (inputs, "
                        "targets) batches) or an (X, y) tuple, got "
                        + ("a one-shot iterator" if hasattr(data, "__next__")
                           else type(data).__name__))
    return data


class _Meter:
    """Sample-weighted running loss and accuracy over one pass."""

    def __init__(self):
        self.loss_sum, self.n, self.correct, self.classifier = 0.0, 0, 0, True
        self.n_nan = 0              # samples whose outputs hold a NaN

    def add(self, loss, outputs, targets):
        n = len(_raw(targets))
        if loss is not None:
            self.loss_sum += float(_raw(loss)) * n
        self.n += n
        counted = _count_correct(outputs, targets)
        if counted is None:
            self.classifier = False     # accuracy is undefined for this pass
        else:
            self.correct += counted[0]
            self.n_nan += counted[2]

    def result(self, has_loss=True):
        loss = self.loss_sum / self.n if (self.n and has_loss) else math.nan
        defined = self.n and self.classifier and not self.n_nan
        acc = self.correct / self.n if defined else math.nan
        return loss, acc


def evaluate(model, loss_fn, data, batch_size=1024):
    """Return ``(mean loss, accuracy)`` of ``model`` over ``data``.

    ``data``: a DataLoader, another re-iterable of ``(xb, yb)`` batches, or an
    ``(X, y)`` tuple of arrays (batched by ``batch_size``; floating ``X`` takes the
    dtype of the model's parameters, so a float64 model is not fed rounded
    float32 inputs). Runs under
    ``ag.no_grad()`` with the model in eval mode (dropout off, batch norm using
    its running statistics), then puts the model back in the mode it was in.
    ``loss_fn=None`` gives a ``nan`` loss. When any output is NaN the accuracy
    is ``nan`` (an argmax over NaN means nothing) and a ``RuntimeWarning`` says
    for how many samples.
    """
    batches = _as_batches(data, batch_size, model)
    meter = _Meter()
    with _restoring_mode(model), ag.no_grad():
        _set_mode(model, False)
        for xb, yb in batches:
            out = model(xb)
            loss = loss_fn(out, yb) if loss_fn is not None else None
            meter.add(loss, out, yb)
    if meter.n == 0:
        raise ValueError("evaluate: the data gave no batches")
    if meter.n_nan:
        warnings.warn(f"evaluate: the model's outputs hold NaN for {meter.n_nan} of "
                      f"{meter.n} samples; the accuracy is reported as nan",
                      RuntimeWarning, stacklevel=2)
    return meter.result(loss_fn is not None)


def predict(model, X, batch_size=1024):
    """The model's outputs on ``X`` (array or Tensor) as one NumPy array, computed in
    eval mode under ``ag.no_grad()`` in batches of ``batch_size``. Floating ``X``
    takes the dtype of the model's parameters (float32 unless built otherwise)."""
    outs = []
    with _restoring_mode(model), ag.no_grad():
        _set_mode(model, False)
        for xb in DataLoader(X, batch_size=batch_size, dtype=_param_dtype(model)):
            outs.append(_raw(model(xb)))
    return np.concatenate(outs)


def _progress_bar(total, enabled):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:        # tqdm is optional (the "examples" extra): no bar
        return None
    return tqdm(total=total, unit="batch", dynamic_ncols=True)


def _buffer_snapshot(model):
    """Copies of the model's buffers (batch norm's running statistics, updated by a
    forward in train mode), to put back when the batch turns out to be bad."""
    buffers = getattr(model, "buffers", None)
    if not callable(buffers):
        return []
    return [(b, b.data.copy()) for b in buffers()]


def _restore(snapshot):
    for buf, saved in snapshot:
        if buf.data.shape == saved.shape and buf.data.flags.writeable:
            with ag.no_grad():
                buf.copy_(saved)
        else:
            buf.data = saved


def _nonfinite_loss(value, epoch, batch, per_epoch, on_nonfinite):
    """Raise NonFiniteLossError, or warn, for a batch whose loss is NaN or infinite."""
    loss = float(value) if np.size(value) == 1 else float("nan")
    of = f" of {per_epoch}" if per_epoch is not None else ""
    where = f"epoch {epoch}, batch {batch}{of} (both counted from 0)"
    if on_nonfinite == "warn":
        warnings.warn(f"fit: the loss is {loss} in {where}; skipping that batch "
                      "(no optimizer step)", RuntimeWarning, stacklevel=3)
        return
    raise NonFiniteLossError(
        f"fit: the loss is {loss} in {where}; stopped before the optimizer step, so "
        "the parameters are those from before this batch. Common causes: a learning "
        "rate too high, NaN or inf in the batch's inputs, log(0) or a division by zero "
        "in the loss; ag.detect_anomaly() names an op that makes NaN in backward, and "
        "fit(..., on_nonfinite='warn') skips such batches instead.",
        epoch, batch, loss)


def fit(model, loss_fn, optimizer, train_loader, epochs=1, val_data=None, progress=True,
        callback=None, val_batch_size=1024, on_nonfinite="raise", monitor=None):
    """Train ``model`` for ``epochs`` passes over ``train_loader``; return the history.

    Each batch: ``out = model(xb)``, ``loss = loss_fn(out, yb)``,
    ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``, with the
    model in train mode. ``train_loader`` is a DataLoader (or any re-iterable of
    ``(xb, yb)`` batches). ``val_data`` (a loader or an ``(X, y)`` tuple) is
    evaluated after every epoch with ``evaluate``.

    Returns a dict of per-epoch lists: ``"loss"`` and ``"accuracy"`` (averaged over
    the epoch's training batches, as computed during training), and
    ``"val_loss"``/``"val_accuracy"`` when ``val_data`` is given.
    ``progress=True`` shows a tqdm bar (when tqdm is installed; otherwise nothing).
    ``callback(epoch, history)``, if given, runs after each epoch; returning
    ``True`` stops training early. The model ends in the mode it started in.

    ``on_nonfinite``: what a NaN or infinite batch loss does, checked before
    ``backward`` and the step. ``"raise"`` (the default): raise
    ``NonFiniteLossError`` (a ``FloatingPointError``) naming the epoch and the
    batch, counted from 0; the parameters, the buffers (running statistics) and
    the optimiser's state are those from before that batch. ``"warn"``: a
    ``RuntimeWarning``, and the batch is skipped (no step; left out of the
    epoch's averages; an epoch whose every batch was skipped records ``nan``).

    ``monitor``: an ``nn.diagnostics.GradientMonitor`` (or any object with a
    ``step()`` method), whose ``step()`` is called after every optimizer step
    (never for a skipped batch), so that it records the step's gradients,
    activations and parameter updates.

    To resume later, save the model's, the optimiser's and the loader's
    ``state_dict()`` (the loader's holds its seed and epoch count, which fix the
    order of the coming epochs) and the history, e.g. in one ``nn.save``
    checkpoint; load them into fresh objects and call ``fit`` again: the run
    continues bit for bit as if never stopped (a model with ``Dropout`` also
    needs its generator's ``rng.bit_generator.state``).
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative int, got {epochs!r}")
    if on_nonfinite not in _ON_NONFINITE:
        raise ValueError(f"fit: on_nonfinite must be one of {_ON_NONFINITE}, got "
                         f"{on_nonfinite!r}")
    if monitor is not None and not callable(getattr(monitor, "step", None)):
        raise TypeError(f"fit: monitor must have a step() method (an "
                        f"nn.diagnostics.GradientMonitor), got {type(monitor).__name__}")
    if isinstance(train_loader, tuple):
        raise TypeError("fit needs a loader for the training data: wrap the arrays in "
                        "data.DataLoader(X, y, batch_size=..., shuffle=True, seed=...)")
    train_batches = _as_batches(train_loader, val_batch_size)
    val_batches = (_as_batches(val_data, val_batch_size, model) if val_data is not None
                   else None)
    history = {"loss": [], "accuracy": []}
    if val_batches is not None:
        history.update(val_loss=[], val_accuracy=[])
    try:
        per_epoch = len(train_batches)
    except TypeError:
        per_epoch = None
    bar = _progress_bar(per_epoch * epochs if per_epoch is not None else None, progress)
    # tqdm closes itself on leaving the block; the model gets its mode back.
    with _restoring_mode(model), (bar if bar is not None else contextlib.nullcontext()):
        for epoch in range(epochs):
            if bar is not None:
                bar.set_description(f"epoch {epoch + 1}/{epochs}", refresh=False)
            _set_mode(model, True)
            meter = _Meter()
            skipped = 0
            for batch, (xb, yb) in enumerate(train_batches):
                buffers = _buffer_snapshot(model)
                out = model(xb)
                loss = loss_fn(out, yb)
                # Checked before backward and the step: one NaN loss gives NaN
                # gradients, and the step would write NaN into every parameter.
                value = _raw(loss)
                if not np.isfinite(value).all():
                    _restore(buffers)        # e.g. running statistics the forward moved
                    _nonfinite_loss(value, epoch, batch, per_epoch, on_nonfinite)
                    skipped += 1
                else:
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    if monitor is not None:
                        monitor.step()
                    meter.add(loss.detach(), out.detach(), yb)
                if bar is not None:
                    bar.update(1)
            if meter.n == 0 and not skipped:
                raise ValueError("fit: the training data gave no batches")
            loss_value, acc = meter.result()
            history["loss"].append(loss_value)
            history["accuracy"].append(acc)
            if val_batches is not None:
                val_loss, val_acc = evaluate(model, loss_fn, val_batches)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_acc)
            if bar is not None:
                bar.set_postfix({k: f"{v[-1]:.4g}" for k, v in history.items()},
                                refresh=True)
            if callback is not None and callback(epoch, history):
                break
    return history
