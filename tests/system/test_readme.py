# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The README's first playbook, taken from the README and run as written against the simulator
(pointed at the simulated prod and dr clusters, as test_examples does), then checked on both
clusters: what the README promises a new user."""

from __future__ import annotations

import re

import yaml

from helpers import REPO, pairs_between, replication_state

GIB = 1024 ** 3


def first_playbook():
    blocks = re.findall(r"^```yaml\n(.*?)^```$", (REPO / "README.md").read_text(), flags=re.S | re.M)
    playbooks = [b for b in blocks if "module_defaults" in b]
    assert len(playbooks) == 1, "the README has one first playbook"
    return playbooks[0]


def test_the_readme_playbook_runs_as_written(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for cluster in (prod, dr):
        for name in ("db01", "db02", "logs"):
            cluster.call("CreateVolume", name=name, accountID=1, totalSize=GIB, enable512e=True)
    text = first_playbook()
    for old, new in (("prod-mvip.example.com", "%s:%s" % (prod.host, prod.port)),
                     ("dr-mvip.example.com", "%s:%s" % (dr.host, dr.port)), ("/etc/pki/element-ca.pem", prod.ca_cert)):
        text = text.replace(old, new)
    plays = yaml.safe_load(text)
    for play in plays:
        play["connection"] = "local"
        play["vars"] = {"prod_admin_password": prod.password, "dr_admin_password": dr.password}
    check = ansible.playbook(plays, check=True, diff=True)
    assert check.rc == 0, str(check)
    assert pairs_between(prod, dr) == [], "--check changes nothing"
    run = ansible.playbook(plays)
    assert run.rc == 0, str(run)
    assert replication_state(prod, dr) == {("db01", "db01"): ("Sync", "Active", "Active"),
                                           ("db02", "db02"): ("Async", "Active", "Active"),
                                           ("logs", "logs"): ("Async", "PausedManual", "PausedManualRemote")}
    again = ansible.playbook(plays)
    assert again.rc == 0 and not [r for r in again.results if r["result"].get("changed")], "a second run changes nothing"


def test_the_readme_links_work_where_galaxy_shows_it():
    """Galaxy shows the README without the repository around it: every link is absolute, and the
    links into the repository name files that exist, at the tag of the version galaxy.yml builds."""
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    release = "%s/blob/%s/" % (galaxy["repository"].rstrip("/"), galaxy["version"])
    links = re.findall(r"\]\(([^)\s]+)\)", (REPO / "README.md").read_text())
    assert links, "the README has links"
    relative = [link for link in links if not re.match(r"https?://", link)]
    assert relative == [], "relative links do not work on Galaxy"
    into_repo = [link for link in links if link.startswith(galaxy["repository"])]
    assert into_repo, "the README links to the user guide"
    for link in into_repo:
        if link.rstrip("/") in (galaxy["repository"], galaxy["issues"]):
            continue
        assert link.startswith(release), "%s does not point at the release's tag (%s)" % (link, release)
        assert (REPO / link[len(release):].split("#")[0]).is_file(), "%s names no file of the repository" % link
