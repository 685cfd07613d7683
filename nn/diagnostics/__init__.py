"""Diagnostics of training: is the gradient getting through every layer?

``GradientMonitor(model, every=1, ...)`` watches a model through hooks and
records, per layer and per recorded step, gradient norms, grad-to-data and
update-to-data ratios of the parameters, the gradient flowing back into each
layer's output, and statistics of each layer's activations (mean, std,
percentiles, saturated and dead fractions), plus histograms at chosen steps.
``jacobian_singular_values(model, x)`` measures, at initialisation, how much
each layer shrinks or stretches a signal. The ``plot_*`` functions draw the
records with Matplotlib.

::

    from nn.diagnostics import GradientMonitor, plot_gradient_norms
    with GradientMonitor(model, every=10) as mon:
        nn.fit(model, loss_fn, opt, loader, epochs=5, monitor=mon)
    plot_gradient_norms(mon).savefig("grad_norms.png")
"""
from .feature_plots import plot_feature_maps, plot_filters
from .jacobian import jacobian_singular_values
from .monitor import OUTPUT_METRICS, PARAM_METRICS, GradientMonitor
from .plots import plot_gradient_norms, plot_histograms, plot_percentiles, plot_update_ratios

__all__ = ["GradientMonitor", "jacobian_singular_values", "PARAM_METRICS", "OUTPUT_METRICS",
           "plot_gradient_norms", "plot_histograms", "plot_percentiles", "plot_update_ratios",
           "plot_filters", "plot_feature_maps"]
