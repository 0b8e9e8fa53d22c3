"""Test configuration: every Hypothesis run is reproducible.

The default profile ``fad-ci`` is derandomized, with a fixed number of examples and no
deadline, so a green run stays green. Set ``HYPOTHESIS_PROFILE=fad-explore`` to search
with fresh random examples, or ``fad-smoke`` for a quick pass over every rule.
"""

import os

from hypothesis import settings

import fad.testing

fad.testing.profile("fad-ci", max_examples=30)
fad.testing.profile("fad-explore", max_examples=300, derandomize=False)
fad.testing.profile("fad-smoke", max_examples=3)  # every rule once or thrice: the other Pythons in CI
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fad-ci"))
