{% set description = cookiecutter.description %}
"""{{ description }}"""
