"""Shared pytest configuration: Hypothesis profiles.

Profiles: ``default`` (quick, for local runs) and ``ci`` (more examples, prints
reproduction blobs). The one named by $HYPOTHESIS_PROFILE is loaded
(``default`` when unset); scripts/test.sh sets ``ci`` unless told otherwise.
"""

import os

from hypothesis import HealthCheck, settings

_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "default", max_examples=15, deadline=None, suppress_health_check=_SUPPRESSED
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
