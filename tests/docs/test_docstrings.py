"""The examples in the packages' docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import micrograd
import nn
import viz

MODULES = [module.name for package in (micrograd, nn, viz)
           for module in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_print_what_they_show(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} docstring example(s) in {name} print something else"
