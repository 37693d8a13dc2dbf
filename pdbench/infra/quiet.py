"""Third-party output a pdbench user can do nothing about, kept out of the terminal.

Warnings are silenced where pdbench calls the libraries that raise them; each entry names the
library and why its warning is noise here, and anything not listed still shows. Progress bars of
library internals (a "Loading weights" bar per model load, datasets' map and save bars) are hidden;
the bars of the long steps stay (DPO steps, reference log-probs, generating, judging).
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


def hide_library_progress_bars() -> None:
    """Hide transformers' weight-loading bars and datasets' map / save bars in this process."""
    import datasets
    from huggingface_hub.utils import enable_progress_bars
    from transformers.utils import logging as transformers_logging

    datasets.disable_progress_bars()
    transformers_logging.disable_progress_bar()
    enable_progress_bars()  # transformers' switch also hides the Hub's download bars: those matter at paper scale
