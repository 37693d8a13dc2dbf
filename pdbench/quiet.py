"""Third-party warnings a pdbench user can do nothing about, silenced where pdbench calls those libraries.

Each entry names the library and why its warning is noise here; anything not listed still shows.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

KNOWN_WARNINGS = (
    # alpaca_eval 0.6.6 imports pkg_resources (we pin setuptools<82 so that it still can).
    (UserWarning, r"pkg_resources is deprecated", r"alpaca_eval"),
    # alpaca_eval's LC fit calls LogisticRegressionCV with arguments scikit-learn 1.8 deprecates.
    (FutureWarning, r"", r"sklearn\."),
    # TRL and transformers announce upcoming API changes in their own calls, not in ours.
    (FutureWarning, r"", r"(trl|transformers)\."),
    (DeprecationWarning, r"", r"(trl|transformers)\."),
)
"""(category, message regex, module regex) of the warnings silenced."""


@contextmanager
def known_warnings_silenced() -> Iterator[None]:
    """Run the body with the warnings of ``KNOWN_WARNINGS`` ignored (the filters are restored after)."""
    with warnings.catch_warnings():
        for category, message, module in KNOWN_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category, module=module)
        yield
