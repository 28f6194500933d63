# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The user guide's commands, taken from docs/*.md as written and run the way a user runs them: from
a directory outside the repository, with the collection built and installed from its artifact (no
working tree on any path), against the simulator. The inventory is the one docs/dr-setup.md shows,
with its hosts and passwords pointed at the simulated clusters. Every step's effect is checked on
both clusters."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from artifact import install_artifact
from helpers import ANSIBLE_BIN, REPO, pairs_between, replication_state, volume_named

GIB = 1024 ** 3
DOCS = REPO / "docs"
PLAYBOOKS = {p.stem for p in (REPO / "playbooks").glob("*.yml")}
FQCN = re.compile(r"^ansible-playbook -i inventory element\.replication\.(\w+)(\s|$)")


def commands(page, spans=True):
    """The ansible-playbook commands of a guide page (a name in docs/, or a path), in page order:
    every line of its shell blocks (indented ones too, prompts like `A$ ` and trailing comments
    removed, continuations joined) and every code span in the text that starts with ansible-playbook."""
    text = (DOCS / page).read_text()  # DOCS / an absolute path is that path
    found = []
    for block in re.findall(r"^[ \t]*```(?:sh|bash|console)\n(.*?)^[ \t]*```", text, flags=re.S | re.M):
        block = re.sub(r"\\\n\s*", "", block)
        for line in block.splitlines():
            line = re.sub(r"^\s*(?:[A-Z]\$\s+)?", "", line)
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            if line.startswith("ansible-playbook"):
                found.append(line)
    for span in re.findall(r"(?<!`)`(ansible-playbook [^`]+)`", text) if spans else []:
        found.append(span.strip())
    yaml_blocks = re.findall(r"^\s*- (ansible-playbook .*)$", text, flags=re.M)  # CI job scripts
    return found + [line.strip() for line in yaml_blocks]


def runnable(command):
    """The command without its optional parts (`[-e name=value]`)."""
    return re.sub(r"\s*\[-[^\]]*\]", "", command)


def user_commands():
    """(page, command) for every command a user copies from the guide or a role's README (both ship,
    and Galaxy shows the READMEs), run against `-i inventory`."""
    pages = sorted(DOCS.glob("*.md")) + sorted(REPO.glob("roles/*/README.md"))
    return [(str(page.relative_to(REPO)), command) for page in pages for command in commands(page)
            if command.startswith("ansible-playbook -i inventory ")]


def test_every_guide_command_runs_a_playbook_of_the_installed_collection():
    found = user_commands()
    assert len(found) >= 20, found
    for page, command in found:
        match = FQCN.match(command)
        assert match, "%s: %r does not run a playbook by its FQCN" % (page, command)
        assert match.group(1) in PLAYBOOKS, "%s: %r names no playbook of the collection" % (page, command)
        assert "playbooks/" not in command, "%s: %r uses a path that only a clone has" % (page, command)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection built into its artifact and installed into a fresh collections path."""
    return install_artifact(tmp_path_factory.mktemp("installed"))


def guide_yaml(page, first_line):
    blocks = re.findall(r"^```yaml\n(.*?)^```$", (DOCS / page).read_text(), flags=re.S | re.M)
    found = [b for b in blocks if b.startswith(first_line)]
    assert len(found) == 1, "%s has one block starting %r" % (page, first_line)
    return found[0]


@pytest.fixture
def user(sim, installed, tmp_path):
    """A user's directory outside the repository with the inventory of docs/dr-setup.md (hosts and
    topology) pointed at the simulator; run(command) runs a guide command there with bash."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for cluster, names in ((prod, ("db01", "logs", "archive")), (dr, ("db01", "logs-replica", "archive"))):
        for name in names:
            cluster.call("CreateVolume", name=name, accountID=1, totalSize=GIB, enable512e=True)
        cluster.clear_calls()
    home = tmp_path / "user"
    assert REPO not in home.parents
    inventory = home / "inventory"
    (inventory / "group_vars" / "all").mkdir(parents=True)
    hosts = guide_yaml("dr-setup.md", "# inventory/hosts.yml")
    for old, new in (("prod-mvip.example.com", "%s:%s" % (prod.host, prod.port)),
                     ("dr-mvip.example.com", "%s:%s" % (dr.host, dr.port)), ("/etc/pki/element-ca.pem", prod.ca_cert)):
        hosts = hosts.replace(old, new)
    (inventory / "hosts.yml").write_text(hosts)
    (inventory / "group_vars" / "all" / "topology.yml").write_text(
        guide_yaml("dr-setup.md", "# inventory/group_vars/all/topology.yml"))
    (inventory / "group_vars" / "all" / "vault.yml").write_text(yaml.safe_dump(
        {"vault_prod_admin_password": prod.password, "vault_dr_admin_password": dr.password}))
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(installed), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
                "ANSIBLE_HOME": str(home / ".ansible"), "ANSIBLE_NOCOLOR": "1",
                "CI_PROJECT_DIR": str(home / "ci"), "PATH": "%s:%s" % (ANSIBLE_BIN, os.environ.get("PATH", ""))})

    def run(command, *extra):
        proc = subprocess.run(["bash", "-c", " ".join([runnable(command)] + list(extra))], cwd=str(home), env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, "%s\n%s\n%s" % (command, proc.stdout[-4000:], proc.stderr[-2000:])
        return proc
    return home, run


DECLARED = {("db01", "db01"): ("Sync", "Active", "Active"), ("logs", "logs-replica"): ("Async", "Active", "Active"),
            ("archive", "archive"): ("Async", "PausedManual", "PausedManualRemote")}


def test_the_dr_setup_walkthrough_from_the_installed_collection(sim, user):
    home, run = user
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    steps = commands("dr-setup.md")
    assert [FQCN.match(s).group(1) for s in steps if FQCN.match(s)] == [
        "dr_setup", "dr_setup", "drift_audit", "dr_failover", "dr_failback", "dr_teardown", "dr_teardown"]
    check, setup, audit, failover, failback, teardown_check, teardown = [s for s in steps if FQCN.match(s)]
    run(check)
    assert pairs_between(prod, dr) == [] and prod.mutating_calls() == [] and dr.mutating_calls() == []
    run(setup)
    assert replication_state(prod, dr) == DECLARED
    run(audit)
    report = yaml.safe_load((home / "reports" / "replication-audit.json").read_text())
    assert report["clean"] is True and report["drift_count"] == 0
    run(failover)
    assert replication_state(dr, prod) == {(b, a): state for (a, b), state in DECLARED.items()}
    run(failback)
    assert replication_state(prod, dr) == DECLARED
    run(teardown_check)
    assert replication_state(prod, dr) == DECLARED
    run(teardown)
    assert replication_state(prod, dr) == {} and pairs_between(prod, dr) == []


def test_the_rehearsal_and_the_ci_audit_from_the_installed_collection(sim, user):
    home, run = user
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    run(commands("dr-setup.md")[1])
    assert replication_state(prod, dr) == DECLARED

    audit, = [c for c in commands("drift-audit.md") if "$CI_PROJECT_DIR" in c]
    run(audit)
    assert (home / "ci" / "reports" / "replication-audit.md").is_file()

    # The page's shell block, in its order: bring up (--check first), one entry, clean up.
    steps = [c for c in commands("rehearsal.md", spans=False) if FQCN.match(c)]
    assert [FQCN.match(c).group(1) for c in steps][:2] == ["dr_rehearsal", "dr_rehearsal"] and "--check" in steps[0]
    assert "dr_rehearsal_cleanup" in [FQCN.match(c).group(1) for c in steps]
    clones = ["q4-archive", "q4-db01", "q4-logs-replica"]
    up = False
    for step in steps:
        dr.clear_calls()
        run(step)
        made = sorted(v["name"] for v in dr.volumes() if v["name"].startswith("q4-"))
        if "--check" in step:
            assert dr.mutating_calls() == [] and made == (clones if up else [])
        elif FQCN.match(step).group(1) == "dr_rehearsal":
            up = True
            assert made == clones
            if "dr_rehearsal_initiators" in step:
                assert [g["name"] for g in dr.access_groups()] == ["q4-hosts"]
            assert (home / "reports" / "rehearsal-q4.json").is_file()
        else:
            up = False
            assert made == [], step
    assert replication_state(prod, dr) == DECLARED, "replication was never touched"
    assert volume_named(prod, "db01")["access"] == "readWrite"


def test_every_other_guide_command_resolves_from_the_installed_collection(user):
    """The commands the scenarios above do not run (the failover page's, split-site's, scaling's)
    must find their playbook and parse, with their options, from the installed collection."""
    _, run = user
    ran = set(commands("dr-setup.md")[:7]) | set(commands("rehearsal.md")) | set(commands("drift-audit.md"))
    others = sorted({command for _, command in user_commands()} - ran)
    assert others
    for command in others:
        proc = run(command, "--syntax-check")
        assert "playbook:" in proc.stdout, command
