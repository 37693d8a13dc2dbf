"""Infrastructure: the content-addressed cache, atomic files, model specs, plotting, system metrics, warning filters."""
