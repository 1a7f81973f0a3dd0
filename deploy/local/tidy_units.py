#!/usr/bin/env python3
"""Runs clang-tidy over the project's files, a dozen files to a translation unit.

clang-tidy's matchers walk the whole syntax tree of a translation unit, the system headers' part
included: for a typical file here (gRPC, protobuf, abseil, libpqxx) that is about 10 s of its
12 s, and it is much the same 10 s for every file. So files that share one command line are
checked together, up to MAX_UNIT_FILES at a time, as one generated unit that #includes them
(under <build>/tidy-units/), and the heavy part is paid once per unit instead of once per file. The
findings still name the project's files and lines, and NOLINT comments work as before.

Files that cannot be read as one unit (two of them define the same name in an
anonymous namespace, say) is checked one by one instead, and the script says so: the result is
the same, only slower. Findings at the generated units' own #include lines are not the project's
code (bugprone-suspicious-include flags every one of them) and are dropped.

  tidy_units.py --build-dir DIR --header-filter REGEX [--jobs N] FILE...

Prints the findings (each once) and exits 1 if there were any, 2 if clang-tidy failed otherwise.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Files per unit: large enough that the system headers' part is walked a few times only, small
# enough that the units keep every CPU busy to the end.
MAX_UNIT_FILES = 12
FINDING = re.compile(r"^(/[^ :]+):(\d+):(\d+): (warning|error): ")
NOISE = re.compile(
    r"^(clang-tidy(-[0-9]+)? |[0-9]+ warnings? (and [0-9]+ errors? )?generated\.|"
    r"Suppressed [0-9]+ warnings|Use -header-filter|Error while processing)"
)


def entry_arguments(entry):
    if "arguments" in entry:
        return list(entry["arguments"])
    return shlex.split(entry["command"])


def strip_source(args, source):
    """The command line without the compiler's output, the -c and the source file itself."""
    out, skip, output = [], False, ""
    for arg in args:
        if skip:
            skip = False
            output = arg
            continue
        if arg == "-o":
            skip = True
            continue
        if arg == "-c" or os.path.normpath(arg) == source:
            continue
        out.append(arg)
    return out, output


def run_tidy(db_dir, source, header_filter):
    proc = subprocess.run(
        ["clang-tidy", "--quiet", "-p", db_dir, f"--header-filter={header_filter}", source],
        capture_output=True,
        text=True,
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    return proc.returncode, text


def findings_of(text, generated_dir):
    """Finding blocks (a finding with its context lines), keyed by their first line."""
    blocks, current, dropped = {}, None, 0
    for line in text.splitlines():
        if NOISE.match(line):
            continue
        match = FINDING.match(line)
        if match:
            current = None
            if match.group(1).startswith(generated_dir + "/"):
                dropped += 1
                continue
            current = line
            blocks.setdefault(current, [])
            continue
        if line.startswith("/") and ": note: " in line:
            if current is not None:
                blocks[current].append(line)
            continue
        if current is not None:
            blocks[current].append(line)
    return blocks, dropped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--header-filter", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("files", nargs="+")
    opts = parser.parse_args()

    build_dir = os.path.abspath(opts.build_dir)
    unit_dir = os.path.join(build_dir, "tidy-units")
    os.makedirs(unit_dir, exist_ok=True)
    for old in os.listdir(unit_dir):
        os.remove(os.path.join(unit_dir, old))
    with open(os.path.join(build_dir, "compile_commands.json"), encoding="utf-8") as f:
        database = json.load(f)
    by_file = {}
    for entry in database:
        path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
        by_file.setdefault(path, entry)

    groups = {}  # (directory, flags) -> [files]
    for path in opts.files:
        path = os.path.normpath(os.path.abspath(path))
        entry = by_file[path]
        flags, _ = strip_source(entry_arguments(entry), path)
        groups.setdefault((entry["directory"], tuple(flags)), []).append(path)

    units, unit_db = [], []  # units: (tidy source, db dir, member files)
    for (directory, flags), members in sorted(groups.items()):
        members.sort()
        # Each program's main() in a unit of its own kind: two main.cpp never share one.
        mains = [m for m in members if os.path.basename(m) == "main.cpp"]
        others = [m for m in members if os.path.basename(m) != "main.cpp"]
        count = max(-(-len(members) // MAX_UNIT_FILES), len(mains))
        chunks = [[] for _ in range(count)]
        for i, m in enumerate(mains):
            chunks[i].append(m)
        for m in others:
            min(chunks, key=len).append(m)
        for chunk in (sorted(c) for c in chunks if c):
            if len(chunk) == 1:
                units.append((chunk[0], build_dir, chunk))
                continue
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.relpath(chunk[0], ROOT)) + ".unit.cpp"
            unit = os.path.join(unit_dir, name)
            text = "// Generated by deploy/local/tidy_units.py: files checked as one unit.\n"
            text += "".join(f'#include "{m}"\n' for m in chunk)
            with open(unit, "w", encoding="utf-8") as f:
                f.write(text)
            unit_db.append(
                {"directory": directory, "file": unit, "arguments": list(flags) + ["-c", unit]}
            )
            units.append((unit, unit_dir, chunk))
    with open(os.path.join(unit_dir, "compile_commands.json"), "w", encoding="utf-8") as f:
        json.dump(unit_db, f, indent=1)

    start = time.monotonic()
    findings, failed = {}, []

    def check(unit):
        source, db_dir, members = unit
        status, text = run_tidy(db_dir, source, opts.header_filter)
        if db_dir == unit_dir and "[clang-diagnostic-error]" in text:
            # Not one unit after all (names clash between its files): file by file.
            note = f"check-tidy: {source} does not compile as one unit; its files checked one by one"
            results = [run_tidy(build_dir, m, opts.header_filter) for m in members]
            return note, results
        return None, [(status, text)]

    # The largest units first, so the last to finish are short ones.
    units.sort(key=lambda unit: -len(unit[2]))
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for note, results in pool.map(check, units):
            if note:
                print(note, file=sys.stderr)
            for status, text in results:
                blocks, dropped = findings_of(text, unit_dir)
                for first, rest in blocks.items():
                    findings.setdefault(first, rest)
                if status != 0 and not blocks and not dropped:
                    failed.append(text)

    for first, rest in sorted(findings.items()):
        print(first)
        for line in rest:
            print(line)
    for text in failed:
        print(text, file=sys.stderr)
    elapsed = round(time.monotonic() - start)
    summary = f"{len(opts.files)} files in {len(units)} units, {elapsed}s"
    if findings:
        print(f"check-tidy: {len(findings)} finding(s) ({summary})", file=sys.stderr)
        return 1
    if failed:
        print(f"check-tidy: clang-tidy failed ({summary})", file=sys.stderr)
        return 2
    print(f"check-tidy: clean ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
