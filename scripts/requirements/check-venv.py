#!/usr/bin/env python3
"""Checks that the Python environment running this script holds exactly what a requirements file pins.

Usage: VENV/bin/python scripts/requirements/check-venv.py scripts/requirements/NAME.txt

Every `name==version` line of the file (pip-compile's output: pins with hashes) must be installed at that
version, and nothing else may be installed besides pip and setuptools (what `python3 -m venv` puts there).
Prints each difference and exits 1 when there is one, 0 otherwise. Run with the venv's own interpreter.
"""

import importlib.metadata
import re
import sys

# What `python3 -m venv` installs by itself (ensurepip): not part of the pinned tool set.
BOOTSTRAP = {"pip", "setuptools"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def normalized(name):
    """PEP 503: case and runs of -, _ and . do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    pinned = {}
    with open(sys.argv[1], encoding="utf-8") as lines:
        for line in lines:
            match = PIN.match(line)
            if match:
                pinned[normalized(match[1])] = match[2]
    if not pinned:
        print(f"{sys.argv[1]}: no `name==version` pins", file=sys.stderr)
        return 2
    installed = {normalized(dist.metadata["Name"]): dist.version for dist in importlib.metadata.distributions()}
    problems = []
    for name, version in sorted(pinned.items()):
        if name not in installed:
            problems.append(f"missing: {name}=={version}")
        elif installed[name] != version:
            problems.append(f"wrong version: {name} {installed[name]} installed, {version} pinned")
    for name in sorted(set(installed) - set(pinned) - BOOTSTRAP):
        problems.append(f"not pinned: {name}=={installed[name]}")
    for problem in problems:
        print(f"check-venv: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
