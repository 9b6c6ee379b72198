#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate a genetlink spec against the kernel's own schema and tooling.

  spec-check.py SPEC KERNEL_TREE

KERNEL_TREE holds Documentation/netlink/<protocol>.yaml and tools/net/ynl
(extracted from Debian's linux-source by the Makefile). The schema is the one
the spec's protocol names, as ynl picks it. Every schema violation is
printed with its path; then the spec is loaded by ynl's own SpecFamily, which
also resolves the names the schema cannot check (sets, enums, ops, groups).
Exit 1 on any finding.
"""
import os
import sys

import jsonschema
import yaml


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    spec_path, tree = sys.argv[1], sys.argv[2]
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    proto = spec.get('protocol', 'genetlink')
    schema_path = os.path.join(tree, 'Documentation/netlink', proto + '.yaml')
    with open(schema_path) as f:
        schema = yaml.safe_load(f)
    # the schemas say draft-07 by a URL jsonschema does not know
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(spec),
                    key=lambda e: [str(p) for p in e.absolute_path])
    for e in errors:
        where = '/'.join(str(p) for p in e.absolute_path) or '(top level)'
        print(f"{spec_path}: {where}: {e.message}")
    if errors:
        print(f"{spec_path}: {len(errors)} violation(s) of {schema_path}")
        return 1
    # ynl's own reading of the spec: unknown set, enum or op names fail here
    sys.path.insert(0, os.path.join(tree, 'tools/net/ynl'))
    from lib import SpecFamily  # noqa: E402 (the kernel tree is found at run time)
    try:
        fam = SpecFamily(spec_path, schema_path)
    except Exception as e:  # ynl raises bare Exceptions and KeyErrors
        print(f"{spec_path}: ynl cannot load it: {type(e).__name__}: {e}")
        return 1
    print(f"{spec_path}: valid against {os.path.relpath(schema_path, tree)}; "
          f"ynl reads {len(fam.msgs)} messages, {len(fam.attr_sets)} attribute sets")
    return 0


if __name__ == '__main__':
    sys.exit(main())
