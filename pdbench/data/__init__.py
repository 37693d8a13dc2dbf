"""The data layer: loaders (UltraFeedback, HelpSteer2, generic JSONL, the world) and pair construction."""
