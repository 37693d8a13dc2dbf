"""Known third-party warnings are silenced inside the context; pdbench's own and unknown ones still show."""

import warnings

from pdbench.infra.quiet import known_warnings_silenced


def warn_from(module: str, message: str, category) -> None:
    warnings.warn_explicit(message, category, filename=f"{module}.py", lineno=1, module=module)


def test_known_warnings_are_silenced_and_others_still_show():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with known_warnings_silenced():
            warn_from("alpaca_eval.utils", "pkg_resources is deprecated as an API.", UserWarning)
            warn_from("sklearn.linear_model._logistic", "'penalty' was deprecated in version 1.8", FutureWarning)
            warn_from("trl.trainer.dpo_trainer", "will change in TRL 2", FutureWarning)
            warn_from("pdbench.pipeline.runner", "something of ours", UserWarning)
            warn_from("sklearn.base", "a real problem", UserWarning)
        warn_from("sklearn.linear_model._logistic", "outside the context", FutureWarning)
    assert [str(w.message) for w in caught] == ["something of ours", "a real problem", "outside the context"]
