"""pdbench: a benchmark harness for preference-data selection in LLM alignment.

It implements PD selection from "Beyond Single: A Data Selection Principle for LLM Alignment via
Fine-Grained Preference Signals" and the baselines of its Tables 1-2 behind one strategy registry.
"""

__version__ = "0.1.0"
