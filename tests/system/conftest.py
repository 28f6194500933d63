# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""System tests: real ansible-playbook runs of the collection against the Element simulator.

Every test starts from the same state: the clusters of helpers.NAMES with VOLUMES volumes each,
nothing paired, no faults, empty call logs. Tests check the real state on both clusters through
the simulator's API, not only what a module reported.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from element_sim.harness import SimulatorProcess
from helpers import NAMES, REPO, VOLUMES, Ansible, reset


def _importable_collection():
    """Make ansible_collections.element.replication importable in-process (test_client), from
    this working tree: a collections root whose element/replication is a symlink to it."""
    root = Path(tempfile.mkdtemp(prefix="element-collections-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    (root / "ansible_collections" / "element").mkdir(parents=True)
    (root / "ansible_collections" / "element" / "replication").symlink_to(REPO)
    sys.path.insert(0, str(root))


_importable_collection()


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    """A collections path in which element.replication is this working tree (a symlink)."""
    root = tmp_path_factory.mktemp("collections")
    namespace = root / "ansible_collections" / "element"
    namespace.mkdir(parents=True)
    (namespace / "replication").symlink_to(REPO)
    return root


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    sim = SimulatorProcess(tmp_path_factory.mktemp("sim"), clusters=len(NAMES), volumes=VOLUMES, names=NAMES)
    sim.start()
    baseline = {c.name: {v["volumeID"]: v for v in c.volumes()} for c in sim.clusters}
    sim.baseline = baseline
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator):
    reset(simulator)
    return simulator


@pytest.fixture
def ansible(sim, tmp_path, collections_path):
    return Ansible(sim, tmp_path, collections_path)


