"""The strategy registry: one file = one class = one name, registered by decorator.

Discovery imports every module of the ``strategies`` package, the modules of user folders
(``--strategy-path DIR`` or the ``PDBENCH_STRATEGY_PATH`` environment variable, ``os.pathsep``
separated) and the entry-point group ``pdbench.strategies``. Import errors of the built-in
strategies and entry points propagate. A user file that fails to import is set aside (named, with
its error, in ``pdbench strategies list`` and whenever its strategy is asked for), so one broken
file does not make every other strategy unusable; it never vanishes silently.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import pkgutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol

import pandas as pd

from pdbench.selection.plan import BUDGETED_KINDS, STRATEGY_KINDS, Plan

ENV_STRATEGY_PATH = "PDBENCH_STRATEGY_PATH"
ENTRY_POINT_GROUP = "pdbench.strategies"


class Strategy(Protocol):
    """A data-selection strategy. It decides; it never trains, logs or writes files."""

    def plan(self, pairs: pd.DataFrame, budget: float, context) -> Plan:
        """Return the Plan for ``pairs`` at selection budget ``budget`` (λ in the paper)."""


@dataclass(frozen=True)
class StrategyInfo:
    """A registered strategy."""

    name: str
    """Registry name: the file name of the module that defines it."""
    kind: str
    """One of ``pdbench.selection.plan.STRATEGY_KINDS``."""
    description: str
    """First line of the class docstring."""
    factory: type
    """The class; called without arguments to get a Strategy."""
    budgeted: bool = True
    """Whether it keeps round(budget * n) pairs: sweeps run it per budget, the leaderboard keeps budgets apart."""


_REGISTRY: dict[str, StrategyInfo] = {}
_loaded_paths: set[str] = set()
_BROKEN: dict[str, str] = {}
"""Strategy name (file stem) -> why its user file failed to import."""


class UnknownStrategyError(KeyError):
    """No strategy of that name; the message suggests close names and lists the known ones."""

    def __str__(self) -> str:
        return self.args[0]


class BrokenStrategyError(ValueError):
    """The strategy's user file failed to import; the message names the file and the error."""


def register(kind: str, budgeted: bool | None = None):
    """Class decorator: register a strategy under its module's file name.

    ``budgeted`` defaults to the kind's (selection and ablation strategies are); a reference that
    selects at the budget says ``budgeted=True``.

    >>> @register("selection")
    ... class Ours: ...
    """
    if kind not in STRATEGY_KINDS:
        raise ValueError(f"unknown strategy kind {kind!r}; known: {', '.join(STRATEGY_KINDS)}")

    def decorate(cls: type) -> type:
        name = cls.__module__.rsplit(".", 1)[-1]
        existing = _REGISTRY.get(name)
        if existing is not None and _origin(existing.factory) != _origin(cls):
            raise ValueError(f"strategy name '{name}' is registered twice ({existing.factory} and {cls})")
        doc = (cls.__doc__ or "").strip().splitlines()
        is_budgeted = kind in BUDGETED_KINDS if budgeted is None else budgeted
        _REGISTRY[name] = StrategyInfo(name, kind, doc[0] if doc else "", cls, is_budgeted)
        return cls

    return decorate


def discover(paths: Iterable[str | Path] = ()) -> dict[str, StrategyInfo]:
    """Import the built-in strategies, user folders and entry points; return the registry."""
    strategies = importlib.import_module("pdbench.strategies")  # plugins: imported by name, never by the contract
    for module in pkgutil.iter_modules(strategies.__path__):
        importlib.import_module(f"pdbench.strategies.{module.name}")
    env_paths = [p for p in os.environ.get(ENV_STRATEGY_PATH, "").split(os.pathsep) if p]
    for folder in [*paths, *env_paths]:
        _import_folder(Path(folder))
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()
    return dict(sorted(_REGISTRY.items()))


def get_strategy(name: str, paths: Iterable[str | Path] = ()) -> StrategyInfo:
    """Look up a strategy by name; unknown names raise with "did you mean" and the known names,
    a strategy whose file failed to import raises BrokenStrategyError naming the file."""
    registry = discover(paths)
    if name in _BROKEN:
        raise BrokenStrategyError(f"strategy '{name}' cannot be used: {_BROKEN[name]}")
    if name in registry:
        return registry[name]
    close = difflib.get_close_matches(name, registry, n=3)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    broken = f" Files that failed to import: {'; '.join(_BROKEN.values())}" if _BROKEN else ""
    raise UnknownStrategyError(f"unknown strategy '{name}'.{hint} Known strategies: {', '.join(registry)}.{broken}")


def broken_strategies() -> dict[str, str]:
    """Strategy name -> why its user file failed to import (after ``discover``)."""
    return dict(_BROKEN)


def _origin(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _import_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise FileNotFoundError(f"strategy path {folder} is not a folder")
    for file in sorted(folder.glob("*.py")):
        if file.name.startswith("_") or str(file.resolve()) in _loaded_paths:
            continue
        # A private package name keeps user modules from shadowing installed ones.
        module_name = f"pdbench_user_strategies.{file.stem}"
        spec = importlib.util.spec_from_file_location(module_name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        _loaded_paths.add(str(file.resolve()))
        try:
            spec.loader.exec_module(module)
        except Exception as error:  # set aside, named: see the module docstring
            del sys.modules[module_name]
            line = f" (line {error.lineno})" if isinstance(error, SyntaxError) else ""
            _BROKEN[file.stem] = f"{file} failed to import: {type(error).__name__}: {getattr(error, 'msg', error)}{line}"
