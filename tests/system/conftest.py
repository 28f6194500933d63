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


# How the simulated clusters are addressed. "host-port": all on 127.0.0.1, each on its own port,
# MVIP "127.0.0.1:PORT". "address-per-cluster": each on its own loopback address, all on one port,
# with bare-IP MVIPs as real clusters report them (their API is on 443), so that code relying on
# a port inside an MVIP fails. The modules named here run in both; the others in the first only.
ADDRESSINGS = ("host-port", "address-per-cluster")
MODULES_IN_BOTH_ADDRESSINGS = {"test_cluster_pair", "test_volume_pair", "test_failover"}


def pytest_generate_tests(metafunc):
    if "addressing" in metafunc.fixturenames and metafunc.module.__name__ in MODULES_IN_BOTH_ADDRESSINGS:
        metafunc.parametrize("addressing", ADDRESSINGS)


@pytest.fixture
def addressing():
    return ADDRESSINGS[0]


def _simulator(tmp_path_factory, address_per_cluster):
    sim = SimulatorProcess(tmp_path_factory.mktemp("sim"), clusters=len(NAMES), volumes=VOLUMES, names=NAMES,
                           address_per_cluster=address_per_cluster)
    sim.start()
    baseline = {c.name: {v["volumeID"]: v for v in c.volumes()} for c in sim.clusters}
    sim.baseline = baseline
    return sim


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    sim = _simulator(tmp_path_factory, address_per_cluster=False)
    yield sim
    sim.stop()


@pytest.fixture(scope="session")
def address_per_cluster_simulator(tmp_path_factory):
    """Started only when a test runs in the "address-per-cluster" addressing."""
    sim = _simulator(tmp_path_factory, address_per_cluster=True)
    yield sim
    sim.stop()


@pytest.fixture
def sim(request, addressing):
    simulator = request.getfixturevalue("simulator" if addressing == "host-port" else "address_per_cluster_simulator")
    reset(simulator)
    return simulator


@pytest.fixture
def ansible(sim, tmp_path, collections_path):
    return Ansible(sim, tmp_path, collections_path)


