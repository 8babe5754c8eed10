"""Packaging glue: templates/ and static/ live beside the package but ship inside it."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["lgcamp", "lgcamp.*"]), "lgcamp.templates", "lgcamp.static"],
    package_dir={"lgcamp.templates": "templates", "lgcamp.static": "static"},
)
