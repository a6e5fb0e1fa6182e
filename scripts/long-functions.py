#!/usr/bin/env python3
"""Lists functions longer than a limit (default 80 lines) in host/ and service/.

A function is a definition whose body opens at the end of a line and closes with a '}' at the
same indentation (the project's clang-format layout); lambdas inside count toward it.
Usage: scripts/long-functions.py [LIMIT]
"""
import pathlib
import re
import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 80
ROOT = pathlib.Path(__file__).resolve().parent.parent
HEAD = re.compile(r"^(\s*)[A-Za-z_~][\w:<>,\s\*&\[\]]*\b([\w:~]+)\s*\(.*\)\s*(const)?\s*(override)?\s*(->\s*[\w:<>]+)?\s*\{\s*$")

found = 0
for path in sorted(list(ROOT.glob("host/**/*.cpp")) + list(ROOT.glob("service/**/*.cpp")) + list(ROOT.glob("host/**/*.h"))):
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = HEAD.match(lines[i])
        if not m or lines[i].lstrip().startswith(("if", "for", "while", "switch", "else", "return", "}")):
            i += 1
            continue
        indent = m.group(1)
        for j in range(i + 1, len(lines)):
            if lines[j] == indent + "}" or lines[j].startswith(indent + "}") and lines[j].strip() in ("}", "};"):
                length = j - i + 1
                if length > LIMIT:
                    found += 1
                    print(f"{path.relative_to(ROOT)}:{i + 1}: {m.group(2)} is {length} lines")
                break
        i += 1
sys.exit(1 if found else 0)
