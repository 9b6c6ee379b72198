#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the UAPI header and the kernel policy/op tables of a generic
netlink family from its YAML spec (a subset of the kernel's genetlink-legacy
spec schema, which the spec validates against: consts, enums, flags,
attribute sets with checks, subsets, operations with do/dump request/reply,
events, multicast groups; kernel-policy per-op).

Each op's policy holds only the attributes its request lists, in the op's
attribute set; a nest's policy holds every attribute of the set it nests, so a
request nest that must not carry reply attributes names an input subset
(subset-of, as the kernel's *-input sets do). Subsets share their parent's
enum and its policy name.

  ynl-gen.py SPEC --uapi OUT.h --kernel-c OUT.c --kernel-h OUT.h --user-names OUT.c

--user-names writes, for userspace, each counter set's (an attribute set
named *-stats) attribute names by value: knl_<set>_name(attr).

The kernel tables use struct genl_ops with per-op policies, which both 6.1
and later kernels accept; every op gets its own policy holding only the
attributes its request lists, so strict validation rejects everything else.
"""
import argparse
import sys

import yaml

GEN_NOTE = "Do not edit: generated from netlink/{spec} by netlink/ynl-gen.py"


def c_upper(name):
    return name.upper().replace('-', '_')


def c_lower(name):
    return name.lower().replace('-', '_')


def wrap_doc(head, doc, width=80):
    """Kernel-doc lines: head then the doc's words, wrapped, tab-indented."""
    out, line = [], head
    for w in (doc or '').strip().split():
        if len(line) + 1 + len(w) > width and not line.endswith("\t"):
            out.append(line)
            line = " *\t"
        line += ("" if line.endswith("\t") else " ") + w
    out.append(line)
    return out


def doc_lines(doc, indent=' * '):
    out = []
    for line in (doc or '').strip().splitlines():
        out.append((indent + line).rstrip())
    return out


class Family:
    def __init__(self, spec, spec_name):
        self.spec = spec
        self.spec_name = spec_name
        self.name = spec['name']
        self.NAME = c_upper(self.name)
        self.version = spec.get('version', 1)
        self.defs = {d['name']: d for d in spec.get('definitions', [])}
        self.sets = {s['name']: s for s in spec['attribute-sets']}
        self.ops = spec['operations']['list']
        self.mcgrps = spec.get('mcast-groups', {}).get('list', [])
        self.ranges = {}
        if spec.get('kernel-policy', 'split') != 'per-op':
            sys.exit("only kernel-policy: per-op is supported")
        for op in self.ops:
            if op['attribute-set'] not in self.sets:
                sys.exit(f"op {op['name']}: unknown attribute-set")

    def root(self, set_name):
        """The set whose enum a (subset) set's attributes belong to."""
        while 'subset-of' in self.sets[set_name]:
            set_name = self.sets[set_name]['subset-of']
        return set_name

    # ----- naming -----
    def attr_enum(self, set_name, attr_name):
        return f"{self.NAME}_A_{c_upper(self.root(set_name))}_{c_upper(attr_name)}"

    def attr_max(self, set_name):
        return f"{self.NAME}_A_{c_upper(self.root(set_name))}_MAX"

    def cmd(self, op):
        return f"{self.NAME}_CMD_{c_upper(op['name'])}"

    def enum_entry(self, enum, entry):
        return f"{self.NAME}_{c_upper(enum['name'])}_{c_upper(entry)}"

    def entries(self, enum):
        """[(name, value, doc)] with values assigned as YNL does."""
        out = []
        flags = enum['type'] == 'flags'
        val = enum.get('value-start', 0)
        for e in enum['entries']:
            if isinstance(e, str):
                e = {'name': e}
            if 'value' in e:
                val = e['value']
            out.append((e['name'], (1 << val) if flags else val, e.get('doc')))
            val += 1
        return out

    # ----- UAPI -----
    def uapi(self):
        g = f"_UAPI_LINUX_{self.NAME}_H"
        o = ["/* SPDX-License-Identifier: "
             "((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */",
             f"/* {GEN_NOTE.format(spec=self.spec_name)} */", "",
             f"#ifndef {g}", f"#define {g}", "",
             f'#define {self.NAME}_FAMILY_NAME\t"{self.name}"',
             f"#define {self.NAME}_FAMILY_VERSION\t{self.version}", ""]
        for d in self.defs.values():
            if d['type'] == 'const':
                o.append(f"#define {self.NAME}_{c_upper(d['name'])}\t{d['value']}")
        o.append("")
        for d in self.defs.values():
            if d['type'] not in ('enum', 'flags'):
                continue
            o.append("/**")
            o.append(f" * enum {self.name}_{c_lower(d['name'])}"
                     f" - {(d.get('doc') or d['name']).strip().splitlines()[0]}")
            for n, _, doc in self.entries(d):
                if doc:
                    o += wrap_doc(f" * @{self.enum_entry(d, n)}:", doc)
            o.append(" */")
            o.append(f"enum {self.name}_{c_lower(d['name'])} {{")
            for n, v, _ in self.entries(d):
                o.append(f"\t{self.enum_entry(d, n)} = {v},")
            if d['type'] == 'enum':
                NM = f"{self.NAME}_{c_upper(d['name'])}"
                o += ["", f"\t/* private: */", f"\t__{NM}_MAX,",
                      f"\t{NM}_MAX = (__{NM}_MAX - 1)"]
            o.append("};")
            o.append("")
        for s in self.spec['attribute-sets']:
            if 'subset-of' in s:
                continue
            o.append("/**")
            o.append(f" * enum - attributes of the {s['name']} set")
            for a in s['attributes']:
                if a.get('doc'):
                    o += wrap_doc(f" * @{self.attr_enum(s['name'], a['name'])}:",
                                  a['doc'])
            o.append(" */")
            o.append("enum {")
            val = 1
            for a in s['attributes']:
                val = a.get('value', val)
                o.append(f"\t{self.attr_enum(s['name'], a['name'])} = {val},")
                val += 1
            mx = self.attr_max(s['name'])
            o += ["", f"\t__{mx},", f"\t{mx} = (__{mx} - 1)", "};", ""]
        o.append("enum {")
        for i, op in enumerate(self.ops):
            o.append(f"\t{self.cmd(op)} = {op.get('value', i + 1)},")
        o += ["", f"\t__{self.NAME}_CMD_MAX,",
              f"\t{self.NAME}_CMD_MAX = (__{self.NAME}_CMD_MAX - 1)", "};", ""]
        for g2 in self.mcgrps:
            o.append(f'#define {self.NAME}_MCGRP_{c_upper(g2["name"])}\t"{g2["name"]}"')
        o += ["", f"#endif /* {g} */", ""]
        return "\n".join(o)

    # ----- kernel policies -----
    def cval_str(self, v):
        return f"{self.NAME}_{c_upper(v)}" if isinstance(v, str) else str(v)

    def policy_name(self, name):
        return f"{c_lower(self.name)}_{c_lower(self.root(name))}_nl_policy"

    def enum_bounds(self, enum_name):
        d = self.defs[enum_name]
        vals = [v for _, v, _ in self.entries(d)]
        return d['type'], min(vals), max(vals), sum(vals)

    def policy_entry(self, a):
        t = a['type']
        chk = a.get('checks', {})
        nla = {'u8': 'NLA_U8', 'u16': 'NLA_U16', 'u32': 'NLA_U32',
               'u64': 'NLA_U64', 's32': 'NLA_S32', 'flag': 'NLA_FLAG',
               'binary': 'NLA_BINARY', 'string': 'NLA_NUL_STRING',
               'nest': 'NLA_NESTED'}.get(t)
        if t == 'pad':
            return None
        if nla is None:
            sys.exit(f"attribute {a['name']}: unsupported type {t}")
        if t == 'nest':
            return f"NLA_POLICY_NESTED({self.policy_name(a['nested-attributes'])})"
        if t in ('u8', 'u16', 'u32', 'u64') and 'enum' in a:
            kind, lo, hi, mask = self.enum_bounds(a['enum'])
            if kind == 'flags':
                return f"NLA_POLICY_MASK({nla}, 0x{mask:x})"
            return f"NLA_POLICY_RANGE({nla}, {lo}, {hi})"
        if t in ('u8', 'u16', 'u32', 'u64', 's32'):
            lo, hi = chk.get('min'), chk.get('max')
            if self.beyond_s16(a, chk):
                # nla_policy keeps min/max in s16: use a range struct
                rng = f"{c_lower(self.name)}_{c_lower(a['name'])}_range"
                self.ranges[rng] = (lo, hi)
                return f"NLA_POLICY_FULL_RANGE({nla}, &{rng})"
            lo = None if lo is None else self.cval_str(lo)
            hi = None if hi is None else self.cval_str(hi)
            if lo is not None and hi is not None:
                return f"NLA_POLICY_RANGE({nla}, {lo}, {hi})"
            if hi is not None:
                return f"NLA_POLICY_MAX({nla}, {hi})"
            if lo is not None:
                return f"NLA_POLICY_MIN({nla}, {lo})"
            return f"{{ .type = {nla}, }}"
        if t == 'binary':
            def cval(v):
                return f"{self.NAME}_{c_upper(v)}" if isinstance(v, str) else v
            if 'exact-len' in chk:
                return f"NLA_POLICY_EXACT_LEN({cval(chk['exact-len'])})"
            lo, hi = chk.get('min-len'), chk.get('max-len')
            if hi is not None and self.const_value(hi) > 32767:
                # past the s16 range fields: .len bounds it, the handler
                # checks the minimum
                return f"{{ .type = NLA_BINARY, .len = {cval(hi)}, }}"
            if lo is not None and hi is not None:
                return f"NLA_POLICY_RANGE(NLA_BINARY, {cval(lo)}, {cval(hi)})"
            if lo is not None:
                return f"NLA_POLICY_MIN_LEN({cval(lo)})"
            if hi is not None:
                return f"{{ .type = NLA_BINARY, .len = {cval(hi)}, }}"
            return "{ .type = NLA_BINARY, }"
        if t == 'string':
            ml = chk.get('max-len')
            return (f"{{ .type = NLA_NUL_STRING, .len = {ml}, }}" if ml
                    else "{ .type = NLA_NUL_STRING, }")
        return f"{{ .type = {nla}, }}"

    def const_value(self, v):
        if isinstance(v, str):
            return self.defs[v]['value']
        return v

    def beyond_s16(self, a, chk):
        vals = [self.const_value(chk[k]) for k in ('min', 'max') if k in chk]
        return any(v < -32768 or v > 32767 for v in vals)

    def set_attrs(self, set_name):
        """A set's attributes; a subset's are its parent's with its overrides."""
        s = self.sets[set_name]
        if 'subset-of' not in s:
            return {a['name']: a for a in s['attributes']}
        parent = self.set_attrs(s['subset-of'])
        out = {}
        for a in s['attributes']:
            if a['name'] not in parent:
                sys.exit(f"set {set_name}: {a['name']} is not in {s['subset-of']}")
            out[a['name']] = {**parent[a['name']], **a}
        return out

    def policy(self, pname, set_name, only=None):
        attrs = self.set_attrs(set_name)
        names = only if only is not None else list(attrs)
        o = [f"const struct nla_policy {pname}[{self.attr_max(set_name)} + 1] = {{"]
        for n in names:
            if n not in attrs:
                sys.exit(f"{pname}: {n} is not in set {set_name}")
            ent = self.policy_entry(attrs[n])
            if ent:
                o.append(f"\t[{self.attr_enum(set_name, n)}] = {ent},")
        o.append("};")
        return o

    def nested_sets(self):
        """Attribute sets nested in requests, dependencies first."""
        order = []

        def visit(set_name, names):
            attrs = self.set_attrs(set_name)
            for n in names:
                a = attrs[n]
                if a['type'] != 'nest':
                    continue
                sub = a['nested-attributes']
                visit(sub, list(self.set_attrs(sub)))
                if sub not in order:
                    order.append(sub)
        for op in self.kernel_ops():
            visit(op['attribute-set'], self.op_request(op))
        roots = [self.root(n) for n in order]
        if len(set(roots)) != len(roots):
            sys.exit(f"requests nest different subsets of one set: {order}")
        return order

    def op_modes(self, op):
        return [m for m in ('do', 'dump') if m in op]

    def op_request(self, op):
        """Union of the do and dump request attributes, in spec order."""
        out = []
        for m in self.op_modes(op):
            for a in (op[m].get('request') or {}).get('attributes', []):
                if a not in out:
                    out.append(a)
        return out

    def kernel_ops(self):
        """Ops the kernel implements (notifications have neither do nor dump)."""
        return [op for op in self.ops if self.op_modes(op)]

    def kernel_h(self):
        g = f"_{self.NAME}_NETLINK_GEN_H"
        lo = c_lower(self.name)
        o = ["/* SPDX-License-Identifier: GPL-2.0 */",
             f"/* {GEN_NOTE.format(spec=self.spec_name)} */", "",
             f"#ifndef {g}", f"#define {g}", "",
             "#include <net/netlink.h>", "#include <net/genetlink.h>", "",
             f"#include <uapi/linux/{self.name}.h>", ""]
        for s in self.nested_sets():
            o.append(f"extern const struct nla_policy "
                     f"{self.policy_name(s)}[{self.attr_max(s)} + 1];")
        if self.nested_sets():
            o.append("")
        for op in self.kernel_ops():
            if 'do' in op:
                o.append(f"int {lo}_nl_{c_lower(op['name'])}_doit(struct sk_buff *skb, "
                         f"struct genl_info *info);")
            if 'dump' in op:
                first = f"int {lo}_nl_{c_lower(op['name'])}_dumpit("
                col = len(first)
                o.append(first + "struct sk_buff *skb,")
                o.append("\t" * (col // 8) + " " * (col % 8) +
                         "struct netlink_callback *cb);")
                if op['dump'].get('post'):
                    o.append(f"int {c_lower(op['dump']['post'])}"
                             f"(struct netlink_callback *cb);")
        o += ["", f"enum {{"]
        for g2 in self.mcgrps:
            o.append(f"\t{self.NAME}_NLGRP_{c_upper(g2['name'])},")
        o += ["};", "",
              f"extern const struct genl_ops {lo}_nl_ops[{len(self.kernel_ops())}];",
              f"extern const struct genl_multicast_group "
              f"{lo}_nl_mcgrps[{len(self.mcgrps)}];",
              "", f"#endif /* {g} */", ""]
        return "\n".join(o)

    def kernel_c(self):
        lo = c_lower(self.name)
        head = ["// SPDX-License-Identifier: GPL-2.0",
                f"/* {GEN_NOTE.format(spec=self.spec_name)} */", "",
                '#include "netlink-gen.h"', ""]
        o = []
        for s in self.nested_sets():
            o += self.policy(self.policy_name(s), s)
            o.append("")
        for op in self.kernel_ops():
            req = self.op_request(op)
            o += ["static " + l if i == 0 else l for i, l in enumerate(
                self.policy(f"{lo}_{c_lower(op['name'])}_nl_policy",
                            op['attribute-set'], req))]
            o.append("")
        o.append(f"const struct genl_ops {lo}_nl_ops[{len(self.kernel_ops())}] = {{")
        for op in self.kernel_ops():
            n = c_lower(op['name'])
            flags = []
            for f in op.get('flags', []):
                flags.append({'admin-perm': 'GENL_ADMIN_PERM',
                              'uns-admin-perm': 'GENL_UNS_ADMIN_PERM'}[f])
            o.append("\t{")
            o.append(f"\t\t.cmd\t\t= {self.cmd(op)},")
            if 'do' in op:
                o.append(f"\t\t.doit\t\t= {lo}_nl_{n}_doit,")
            if 'dump' in op:
                o.append(f"\t\t.dumpit\t\t= {lo}_nl_{n}_dumpit,")
                if op['dump'].get('post'):
                    o.append(f"\t\t.done\t\t= {c_lower(op['dump']['post'])},")
            o.append(f"\t\t.policy\t\t= {lo}_{n}_nl_policy,")
            o.append(f"\t\t.maxattr\t= {self.attr_max(op['attribute-set'])},")
            if flags:
                o.append(f"\t\t.flags\t\t= {' | '.join(flags)},")
            o.append("\t},")
        o += ["};", ""]
        for rng, (rlo, rhi) in self.ranges.items():
            # not const: 6.1's NLA_POLICY_FULL_RANGE takes a plain pointer
            head.append(f"static struct netlink_range_validation {rng} = {{")
            if rlo is not None:
                head.append(f"\t.min = {self.cval_str(rlo)},")
            if rhi is not None:
                head.append(f"\t.max = {self.cval_str(rhi)},")
            head += ["};", ""]
        o = head + o
        o.append(f"const struct genl_multicast_group {lo}_nl_mcgrps[{len(self.mcgrps)}] = {{")
        for g2 in self.mcgrps:
            # CAP_NET_ADMIN in the netns's user namespace, as the ops'
            # GENL_UNS_ADMIN_PERM (the schema's only fitting group flag)
            fl = {'uns-admin-perm': 'GENL_MCAST_CAP_NET_ADMIN'}
            for f in g2.get('flags', []):
                if f not in fl:
                    sys.exit(f"mcast group {g2['name']}: unsupported flag {f}")
            flags = ' | '.join(fl[f] for f in g2.get('flags', []))
            o.append(f"\t[{self.NAME}_NLGRP_{c_upper(g2['name'])}] = {{")
            o.append(f"\t\t.name = {self.NAME}_MCGRP_{c_upper(g2['name'])},")
            if flags:
                o.append(f"\t\t.flags = {flags},")
            o.append("\t},")
        o += ["};", ""]
        return "\n".join(o)


    # ----- userspace: counter names -----
    def user_names(self):
        o = ["// SPDX-License-Identifier: GPL-2.0",
             f"/* {GEN_NOTE.format(spec=self.spec_name)} */", "",
             "#include <stddef.h>", "#include <linux/ksrtp.h>", "",
             '#include "knl.h"']
        for set_name in (n for n, s in self.sets.items()
                         if n.endswith('-stats') and 'subset-of' not in s):
            o += ["", f"const char *knl_{c_lower(set_name)}_name(int attr)", "{",
                  "\tstatic const char *const names[] = {"]
            for a in self.sets[set_name]['attributes']:
                if a.get('type') != 'pad':
                    o.append(f'\t\t[{self.attr_enum(set_name, a["name"])}] = "{a["name"]}",')
            o += ["\t};", "",
                  "\tif (attr <= 0 || (size_t)attr >= sizeof(names) / sizeof(names[0]))",
                  "\t\treturn NULL;", "\treturn names[attr];", "}"]
        return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('spec')
    ap.add_argument('--uapi')
    ap.add_argument('--kernel-c')
    ap.add_argument('--kernel-h')
    ap.add_argument('--user-names')
    args = ap.parse_args()
    with open(args.spec) as f:
        fam = Family(yaml.safe_load(f), args.spec.split('/')[-1])
    for path, text in ((args.uapi, fam.uapi), (args.kernel_c, fam.kernel_c),
                       (args.kernel_h, fam.kernel_h), (args.user_names, fam.user_names)):
        if path:
            with open(path, 'w') as f:
                f.write(text())


if __name__ == '__main__':
    main()
