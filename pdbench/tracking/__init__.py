"""Tracking: a run's MLflow record kept in its folder (journal), sent live or later (publish); ``store`` is the one module that imports mlflow."""
