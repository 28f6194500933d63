"""Fixtures: simulator processes on free ports in temporary directories."""

import pytest

from element_sim.harness import SimulatorProcess


@pytest.fixture(scope="module")
def shared_sim(tmp_path_factory):
    """Two TLS clusters with 4 seeded volumes each, shared by a module's tests: tests using
    it only add objects of their own and never rely on global counts."""
    sim = SimulatorProcess(tmp_path_factory.mktemp("shared"), clusters=2, volumes=4).start()
    yield sim
    sim.stop()


@pytest.fixture
def make_sim(tmp_path):
    """Factory for function-scoped simulators (a clean slate); all are stopped afterwards."""
    started = []

    def make(clusters=2, volumes=4, subdir="sim", **kw):
        sim = SimulatorProcess(tmp_path / subdir, clusters=clusters, volumes=volumes,
                               **kw).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim):
    return make_sim()
