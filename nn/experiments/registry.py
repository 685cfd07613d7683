"""The registry: experiment name -> the module that implements it.

Adding an experiment is one line here plus its module (see the package
docstring for what the module provides). The order is the order of ``list``,
of a full run and of the summary table.
"""
import importlib

__all__ = ["EXPERIMENTS", "names", "get"]

EXPERIMENTS = {
    "gradient_flow": "nn.experiments.gradient_flow",
    "saturation": "nn.experiments.saturation",
    "deep_relu": "nn.experiments.deep_relu",
    "batchnorm": "nn.experiments.batchnorm",
    "degradation": "nn.experiments.degradation",
    "thousand_layers": "nn.experiments.thousand_layers",
}


def names():
    """The registered experiment names, in order."""
    return list(EXPERIMENTS)


def get(name):
    """The module of experiment ``name`` (``KeyError`` listing the names otherwise)."""
    if name not in EXPERIMENTS:
        raise KeyError(f"unknown experiment {name!r}; registered: {', '.join(EXPERIMENTS)}")
    return importlib.import_module(EXPERIMENTS[name])
