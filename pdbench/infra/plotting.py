"""Matplotlib without a display."""


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (works on headless machines)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
