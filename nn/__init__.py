"""Neural-network package (layers, losses, optimisers, data) built on
autograd_core's public API only; see API.md for the planned surface."""
