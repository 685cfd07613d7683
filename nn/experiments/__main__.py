"""``python -m nn.experiments``: see ``nn.experiments.cli``."""
import sys

from .cli import main

if __name__ == "__main__":          # not when a spawned worker re-imports this module
    sys.exit(main())
