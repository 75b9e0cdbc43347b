"""The examples in the matching engine's docstrings run and hold."""

import doctest
import importlib
import pkgutil

import pytest

import organizer.matching

MODULES = sorted(m.name for m in pkgutil.iter_modules(organizer.matching.__path__, "organizer.matching.") if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_some_docstrings_have_examples():
    attempted = sum(doctest.testmod(importlib.import_module(name)).attempted for name in MODULES)
    assert attempted >= 2
