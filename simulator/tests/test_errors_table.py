"""All error names live in one table (errors.py), and the README lists them."""

import os
import re

import pytest

from element_sim.errors import ERRORS, ElementError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def source_files():
    for folder, _, files in os.walk(os.path.join(ROOT, "element_sim")):
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def test_every_raised_name_is_in_the_table():
    used = set()
    for path in source_files():
        with open(path, encoding="utf-8") as f:
            used |= set(re.findall(r'ElementError\(\s*"(x\w+)"', f.read()))
    assert used, "the scan found no error names at all"
    assert used <= set(ERRORS), used - set(ERRORS)


def test_unlisted_names_are_refused():
    with pytest.raises(KeyError):
        ElementError("xNotInTheTable")
    assert ElementError("xVolumeNotPaired").message == "Volume not paired."


def test_readme_lists_every_error_name():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    missing = [name for name in ERRORS if f"`{name}`" not in readme]
    assert not missing, missing
