"""``python -m pdbench.cli`` = ``pdbench``."""

from pdbench.cli import main

main()
