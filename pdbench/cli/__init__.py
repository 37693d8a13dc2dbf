"""The ``pdbench`` command line (entry point ``pdbench.cli:main``)."""

from pdbench.cli.commands import main

__all__ = ["main"]
