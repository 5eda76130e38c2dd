#!/usr/bin/env python3
"""Holds the code to cmake/layers.txt: every #include and every target_link_libraries of a part
may name only itself and the parts its line allows. Prints one line per violation
("FILE:LINE: PART may not use OTHER (...)") and exits 1; exits 0 when the tree keeps its layers,
2 when the table itself is bad. Usage: check_layers.py SOURCE_ROOT"""
import os
import re
import sys

SOURCE_EXT = (".c", ".h", ".cpp", ".hpp", ".cc")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
DEFINES = re.compile(r'\b(?:add_library|add_executable|edubench_add_sut)\(\s*([\w.:-]+)', re.M)
ALIAS = re.compile(r'\badd_library\(\s*([\w:.-]+)\s+ALIAS\s+([\w.-]+)', re.M)
LINKS = re.compile(r'\b(target_link_libraries|edubench_add_sut)\(\s*([\w.-]+)([^)]*)\)', re.S)


def read_table(path):
    parts, targets = {}, {}
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if ":" not in line:
            sys.exit(f"{path}:{n}: expected 'part: parts it may use', got '{line}'")
        head, uses = line.split(":", 1)
        head = head.strip()
        if head.startswith("target "):
            targets[head[len("target "):].strip()] = set(uses.split())
        else:
            parts[head] = set(uses.split())
    known = set(parts) | {"torch"}
    for p, uses in parts.items():
        for u in uses - known:
            print(f"{path}: part {p} may use '{u}', which is not a part", file=sys.stderr)
            sys.exit(2)
    return parts, targets


def part_of_include(name, quoted):
    """The part an include names, or None when it is not the project's (or LibTorch)."""
    if name in ("edubench/sut_api.h", "edubench/sut.hpp"):
        return "sut_api"
    m = re.match(r"edubench/([\w]+)/", name)
    if m:
        return m.group(1)
    if not quoted and re.match(r"(torch|ATen|c10)/", name):
        return "torch"
    return None


def files_of(root, part):
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, part)):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in sorted(filenames):
            yield os.path.join(dirpath, f)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def check_includes(root, parts):
    problems = []
    for part, uses in parts.items():
        allowed = uses | {part}
        for path in files_of(root, part):
            if not path.endswith(SOURCE_EXT):
                continue
            text = open(path, encoding="utf-8", errors="replace").read()
            rel = os.path.relpath(path, root)
            for m in INCLUDE.finditer(text):
                quoted, name = m.group(1) == '"', m.group(2)
                where = f"{rel}:{line_of(text, m.start())}"
                if quoted:
                    target = os.path.normpath(os.path.join(os.path.dirname(rel), name))
                    if target.split(os.sep)[0] != part and not target.startswith(".."):
                        other = target.split(os.sep)[0]
                        if other not in allowed:
                            problems.append(f"{where}: {part} may not use {other} (#include \"{name}\" reaches into "
                                            f"{other}/); allowed: {', '.join(sorted(uses)) or 'nothing'}")
                    elif target.startswith(".."):
                        problems.append(f"{where}: {part}: #include \"{name}\" leaves the source tree")
                    continue
                other = part_of_include(name, quoted)
                if other and other not in allowed:
                    problems.append(f"{where}: {part} may not use {other} (#include <{name}>); "
                                    f"allowed: {', '.join(sorted(uses)) or 'nothing'}")
    return problems


def cmake_files(root, parts):
    for part in parts:
        for path in files_of(root, part):
            if os.path.basename(path) == "CMakeLists.txt":
                yield part, path


def check_links(root, parts, narrow):
    owner, alias = {}, {}
    for part, path in cmake_files(root, parts):
        text = open(path, encoding="utf-8").read()
        for m in ALIAS.finditer(text):
            alias[m.group(1)] = m.group(2)
        for m in DEFINES.finditer(text):
            if m.group(1) not in alias:
                owner.setdefault(m.group(1), part)
    owner["edubench_warnings"] = None  # compile flags of the top level: no part
    problems = []
    for part, path in cmake_files(root, parts):
        text = open(path, encoding="utf-8").read()
        rel = os.path.relpath(path, root)
        allowed = parts[part] | {part}
        for m in LINKS.finditer(text):
            target, args = m.group(2), m.group(3)
            if m.group(1) == "edubench_add_sut":
                lib = re.search(r"\bLIBRARIES\b(.*)", args, re.S)
                args = lib.group(1) if lib else ""
            where = f"{rel}:{line_of(text, m.start())}"
            for token in re.findall(r"[\w$:{}.-]+", args):
                if token in ("PUBLIC", "PRIVATE", "INTERFACE"):
                    continue
                name = alias.get(token, token)
                other = "torch" if "TORCH_LIBRARIES" in token else owner.get(name, "")
                if other == "" or other is None:
                    continue  # a system library, an imported target, or the warnings
                if target in narrow and name not in narrow[target]:
                    problems.append(f"{where}: {target} may not link {name}; allowed: "
                                    f"{', '.join(sorted(narrow[target]))}")
                elif other not in allowed:
                    problems.append(f"{where}: {part} may not use {other} ({target} links {name}); "
                                    f"allowed: {', '.join(sorted(parts[part])) or 'nothing'}")
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    table = os.path.join(root, "cmake", "layers.txt")
    parts, narrow = read_table(table)
    missing = [p for p in parts if not os.path.isdir(os.path.join(root, p))]
    if missing:
        print(f"{table}: no folder for part(s) {', '.join(missing)} under {root}", file=sys.stderr)
        return 2
    problems = check_includes(root, parts) + check_links(root, parts, narrow)
    for p in problems:
        print(f"layering: {p}", file=sys.stderr)
    if problems:
        print(f"layering: {len(problems)} violation(s) of {table}", file=sys.stderr)
        return 1
    print(f"layering: {len(parts)} parts keep their layers ({table})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
