"""Fixtures shared by the nn tests."""
import builtins

import pytest


@pytest.fixture
def block_import(monkeypatch):
    """``block_import("tqdm")`` makes importing that package (and its submodules)
    raise ImportError for the rest of the test, as if it were not installed."""
    real_import = builtins.__import__

    def block(package):
        def fake_import(name, *args, **kwargs):
            if name == package or name.startswith(package + "."):
                raise ImportError(f"No module named '{package}'")
            return real_import(name, *args, **kwargs)
        monkeypatch.setattr(builtins, "__import__", fake_import)

    return block
