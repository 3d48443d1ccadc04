"""The cookiecutter flavour: its generator, the hook runtime and the Jinja filters it ships."""
