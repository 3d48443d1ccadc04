"""Where the template comes from, its questions and presets, read from copier.yml."""
