#!/usr/bin/env python3
"""Keep bindings-spec/dtb-api.json in step with the public headers.

The registry holds two kinds of facts:
  derived   what the headers say and this script reads from them: names,
            C types, parameter order, enum and macro values, option struct
            members, the header each item lives in, the release that added
            a function (from the version script);
  human     what a C header cannot say and a person decides: who owns
            returned pointers, whether NULL is allowed, which parameter
            gives an array's length, how long a callback is kept, thread
            safety, units and defaults of option members.

  spec_tool.py update --headers H... --map MAP [--spec JSON]
      re-derive the derived facts into the JSON, keep every human
      annotation, and propose annotations for anything new, marked with a
      "todo" key that `check` refuses until a person has reviewed the
      proposal and deleted the key.
  spec_tool.py check --headers H... --map MAP --lib LIB [--cc CC -I DIR...]
      fail (listing every problem) when the JSON and the headers, the
      version script or the library's exported symbols disagree, when a
      human annotation is missing, unknown or inconsistent, or when a
      "todo" is left; with --cc also compile a C file generated from the
      JSON that asserts every function type, enum value, option struct
      layout and callback type against the real headers.
  spec_tool.py emit-c [--spec JSON]
      print that C file.

Vocabulary: bindings-spec/README.md.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(HERE, 'dtb-api.json')
FORMAT = 'dtb-api/1'

SCALARS = {'double': 'float64', 'float': 'float32', 'int32_t': 'int32', 'uint32_t': 'uint32',
           'int64_t': 'int64', 'uint64_t': 'uint64', 'size_t': 'size', 'char': 'char',
           'void': 'void'}
INTEGERS = {'int32', 'uint32', 'int64', 'uint64', 'size'}
POINTER_KINDS = {'handle', 'in', 'out', 'inout', 'out_owned'}
OWNERSHIP = {'static', 'borrowed_object', 'borrowed_thread_local', 'caller_frees_with_dtb_free'}
SCOPES = {'call', 'notified', 'forever'}
THREAD_SAFETY = {'any', 'object', 'frozen'}
STABILITY = {'stable', 'experimental'}
CALLBACK_RETURNS = {'nonzero_cancels', 'value', 'none'}
MACRO_SKIP = {'DTB_API', 'DTB_DEPRECATED', 'DTB_BEGIN_DECLS', 'DTB_END_DECLS'}

# Order of keys when the JSON is written: derived facts first.
KEY_ORDER = ['format', 'library', 'api_version', 'name', 'kind', 'header', 'since', 'stability',
             'c', 'type', 'value', 'values', 'underlying', 'returns', 'params', 'members',
             'size_rule', 'version_macro', 'current_version', 'init_macro', 'init_function',
             'pointer', 'const', 'nullable', 'array', 'ownership', 'lifetime', 'scope',
             'user_data', 'destroy', 'semantics', 'enum', 'flags', 'since_version', 'default',
             'unit', 'open', 'pointer_lifetime', 'destructor', 'used_by', 'thread_safety', 'deprecated',
             'ffi_equivalent', 'notes', 'todo', 'constants', 'macros', 'types', 'functions']


# ---------------------------------------------------------------- headers

def read_text(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


class CType:
    """A parsed C declaration: base type, its const, pointer levels (each
    with its own const), an array size, and the declared name."""

    def __init__(self, text):
        tokens = re.findall(r'[A-Za-z_]\w*|\*|\[|\]|\d+', text)
        self.array = None
        if '[' in tokens:
            i = tokens.index('[')
            self.array = int(tokens[i + 1]) if tokens[i + 1] != ']' else 0
            tokens = tokens[:i]
        self.name = None
        if tokens and re.match(r'[A-Za-z_]\w*$', tokens[-1]) and tokens[-1] != 'const' \
                and len([t for t in tokens if t not in ('const', '*')]) > 1:
            self.name = tokens.pop()
        self.base_const = False
        self.base = None
        self.ptrs = []
        for t in tokens:
            if t == '*':
                self.ptrs.append(False)
            elif t == 'const':
                if self.ptrs:
                    self.ptrs[-1] = True
                else:
                    self.base_const = True
            elif t in ('struct', 'enum'):
                raise ValueError(f'write the typedef name, not "{t}", in "{text}"')
            elif self.base is None:
                self.base = t
            else:
                raise ValueError(f'cannot read the C declaration "{text}"')
        if self.base is None:
            raise ValueError(f'no type in "{text}"')

    @property
    def c(self):
        s = ('const ' if self.base_const else '') + self.base
        if self.ptrs:
            s += ' ' + ''.join('*const ' if c else '*' for c in self.ptrs).rstrip()
        if self.array is not None:
            s += f'[{self.array}]'
        return s


def split_params(text):
    text = text.strip()
    if text in ('', 'void'):
        return []
    return [p.strip() for p in text.split(',')]


def eval_int(text, known):
    t = text.strip()
    for name, value in known.items():
        if isinstance(value, int):
            t = re.sub(r'\b' + name + r'\b', str(value), t)
    t = re.sub(r'\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b', r'\1', t)
    if not re.fullmatch(r'[0-9xXa-fA-F+\-*/() <>|&]+', t):
        return None
    try:
        return int(eval(t, {'__builtins__': {}}))  # noqa: S307 (digits and operators only)
    except Exception:
        return None


def include_order(paths):
    """The headers in the order the umbrella header dtb.h includes them
    (whatever order they were given in), so the registry's order is stable."""
    umbrella = next((p for p in paths if os.path.basename(p) == 'dtb.h'), None)
    order = []
    if umbrella:
        order = re.findall(r'#\s*include\s+"([^"]+)"', read_text(umbrella))
    rank = {name: i for i, name in enumerate(order)}
    return sorted(paths, key=lambda p: (rank.get(os.path.basename(p), len(rank)),
                                        os.path.basename(p)))


def parse_headers(paths):
    """The derived facts: {'constants', 'macros', 'types', 'functions'}, each
    a list of dicts in header order."""
    paths = include_order(paths)
    out = {'constants': [], 'macros': [], 'types': [], 'functions': []}
    known = {}
    initializers = set()
    struct_names = set()
    callbacks = set()
    enums = set()
    handles = set()
    for path in paths:
        header = os.path.basename(path)
        raw = read_text(path)
        text = strip_comments(raw).replace('\\\n', ' ')
        # Macros (object-like with a value; function-like ones are listed).
        for m in re.finditer(r'^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?[ \t]*(.*)$', text,
                             flags=re.M):
            name, params, value = m.group(1), m.group(2), m.group(3).strip()
            if name in MACRO_SKIP or not value:
                continue
            if params is not None:
                out['macros'].append({'name': name, 'header': header,
                                      'params': [p.strip() for p in params[1:-1].split(',')]})
                continue
            # An initializer, or another name for one (an old name kept
            # after a rename: DTB_CONNECT_OPTIONS_INIT).
            if value.startswith('{') or value in initializers:
                out['macros'].append({'name': name, 'header': header, 'kind': 'initializer'})
                initializers.add(name)
                continue
            if value.startswith('"'):
                v = json.loads(value)
            else:
                v = eval_int(value, known)
                if v is None:
                    raise ValueError(f'{header}: cannot evaluate macro {name} = {value}')
            known[name] = v
            out['constants'].append({'name': name, 'header': header, 'value': v})
        body = re.sub(r'^[ \t]*#.*$', ' ', text, flags=re.M)
        body = re.sub(r'\s+', ' ', body)
        items = []
        for m in re.finditer(r'typedef struct (\w+) (\w+) ?;', body):
            items.append((m.start(), {'kind': 'handle', 'name': m.group(2), 'header': header}))
            handles.add(m.group(2))
        for m in re.finditer(r'typedef enum (\w+) ?\{(.*?)\} ?(\w+) ?;', body):
            values = []
            for entry in m.group(2).split(','):
                entry = entry.strip()
                if not entry:
                    continue
                if '=' not in entry:
                    raise ValueError(f'{header}: enum value {entry} has no explicit value')
                n, v = (s.strip() for s in entry.split('=', 1))
                iv = eval_int(v, known)
                if iv is None:
                    raise ValueError(f'{header}: cannot evaluate {n} = {v}')
                known[n] = iv
                values.append({'name': n, 'value': iv})
            force32 = any(v['value'] == 0x7FFFFFFF for v in values)
            values = [v for v in values if not v['name'].endswith('_FORCE32_')]
            items.append((m.start(), {'kind': 'enum', 'name': m.group(3), 'header': header,
                                      'underlying': 'int32' if force32 else 'int',
                                      'values': values}))
            enums.add(m.group(3))
        for m in re.finditer(r'typedef struct (\w+) ?\{(.*?)\} ?(\w+) ?;', body):
            members = []
            for decl in m.group(2).split(';'):
                if decl.strip():
                    if ',' in decl:
                        raise ValueError(f'{header}: one member per declaration: {decl}')
                    ct = CType(decl)
                    members.append({'name': ct.name, 'c': ct.c})
            items.append((m.start(), {'kind': 'options', 'name': m.group(3), 'header': header,
                                      'members': members}))
            struct_names.add(m.group(3))
        for m in re.finditer(r'typedef ([^;(]*?)\( ?\* ?(\w+) ?\) ?\(([^)]*)\) ?;', body):
            ret = CType(m.group(1))
            params = []
            for p in split_params(m.group(3)):
                ct = CType(p)
                params.append({'name': ct.name, 'c': ct.c})
            items.append((m.start(), {'kind': 'callback', 'name': m.group(2), 'header': header,
                                      'returns': {'c': ret.c}, 'params': params}))
            callbacks.add(m.group(2))
        # DTB_DEPRECATED("use x") before a declaration: the function is
        # listed with its deprecation message (derived).
        deprecated = {}
        for m in re.finditer(r'DTB_API DTB_DEPRECATED ?\( ?("(?:[^"\\]|\\.)*") ?\) ?'
                             r'[^;(]*?\b(dtb_\w+) ?\(', body):
            deprecated[m.group(2)] = json.loads(m.group(1))
        body = re.sub(r'DTB_DEPRECATED ?\( ?"(?:[^"\\]|\\.)*" ?\) ?', '', body)
        for m in re.finditer(r'DTB_API ([^;(]*?)\b(dtb_\w+) ?\(([^)]*)\) ?;', body):
            ret = CType(m.group(1))
            params = []
            for p in split_params(m.group(3)):
                ct = CType(p)
                if ct.name is None:
                    raise ValueError(f'{header}: {m.group(2)}: unnamed parameter "{p}"')
                params.append({'name': ct.name, 'c': ct.c})
            item = {'kind': 'function', 'name': m.group(2), 'header': header,
                    'returns': {'c': ret.c}, 'params': params}
            if m.group(2) in deprecated:
                item['deprecated'] = deprecated[m.group(2)]
            items.append((m.start(), item))
        for _, item in sorted(items, key=lambda x: x[0]):
            if item['kind'] == 'function':
                del item['kind']
                out['functions'].append(item)
            else:
                out['types'].append(item)
    # Abstract types, now that every typedef is known.
    kinds = {t['name']: t['kind'] for t in out['types']}

    def abstract(c, name=None):
        ct = CType(c + (' x' if name is None else ' ' + name))
        base = ct.base
        if base in SCALARS:
            t = SCALARS[base]
            if t == 'char' and ct.ptrs:
                t = 'string'
                if len(ct.ptrs) == 1:
                    return t
                return t
            if t == 'void' and ct.ptrs and name == 'user_data':
                return 'user_data'
            return t
        if base in kinds or base == 'dtb_status':
            return base
        raise ValueError(f'unknown type {base} in "{c}"')

    def string_depth(c):
        ct = CType(c + ' x')
        return len(ct.ptrs) - (1 if ct.base == 'char' else 0) + (1 if ct.array else 0)

    def fill(obj):
        obj['type'] = abstract(obj['c'], obj.get('name'))
    for fn in out['functions']:
        fill(fn['returns'])
        for p in fn['params']:
            fill(p)
    for t in out['types']:
        if t['kind'] == 'callback':
            fill(t['returns'])
            for p in t['params']:
                fill(p)
        if t['kind'] == 'options':
            for mbr in t['members']:
                fill(mbr)
    # Option structs: version and init macros, flags groups.
    consts = {c['name']: c for c in out['constants']}
    macro_names = {m['name'] for m in out['macros']}
    flag_groups = {}
    for t in out['types']:
        if t['kind'] != 'options':
            continue
        up = t['name'].upper()
        if up + '_VERSION' in consts:
            t['version_macro'] = up + '_VERSION'
            t['current_version'] = consts[up + '_VERSION']['value']
        if up + '_INIT' in macro_names:
            t['init_macro'] = up + '_INIT'
        if t['name'] + '_init' in {f['name'] for f in out['functions']}:
            t['init_function'] = t['name'] + '_init'
    remaining = []
    for c in out['constants']:
        m = re.match(r'(DTB_\w+?)_FLAG_\w+$', c['name'])
        if m:
            group = m.group(1).lower() + '_flags'
            if group not in flag_groups:
                flag_groups[group] = {'kind': 'flags', 'name': group, 'header': c['header'],
                                      'underlying': 'uint32', 'values': []}
            flag_groups[group]['values'].append({'name': c['name'], 'value': c['value']})
        elif not (c['name'].endswith('_OPTIONS_VERSION')
                  and c['name'][:-len('_VERSION')].lower() in struct_names):
            remaining.append(c)
    out['constants'] = remaining
    out['macros'] = [m for m in out['macros'] if not (
        m.get('kind') == 'initializer' and m['name'][:-len('_INIT')].lower() in struct_names)]
    out['types'] += list(flag_groups.values())
    out['_string_depth'] = string_depth
    return out


# ---------------------------------------------------------- version script

def parse_map(path):
    """{function: node} and [(node, parent)] from the linker version script."""
    text = strip_comments(read_text(path))
    where, nodes = {}, []
    for m in re.finditer(r'([\w.]+)\s*\{(.*?)\}\s*([\w.]*)\s*;', text, flags=re.S):
        node, body, parent = m.group(1), m.group(2), m.group(3)
        nodes.append((node, parent))
        g = re.search(r'global:(.*?)(?:local:|$)', body, flags=re.S)
        if g:
            for name in g.group(1).split(';'):
                if name.strip():
                    where[name.strip()] = node
    return where, nodes


def node_to_since(node):
    if node == 'DTB_EXPERIMENTAL':
        return 'experimental'
    m = re.fullmatch(r'DTB_(\d+\.\d+)', node)
    return m.group(1) if m else node


def exported_symbols(lib):
    """{name: version node} of the defined dynamic symbols of the library."""
    r = subprocess.run(['nm', '-D', '--defined-only', lib], check=True, capture_output=True,
                       text=True)
    names = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] != 'A':
            name, _, version = parts[2].partition('@')
            names[name] = version.lstrip('@')
    return names


def soname(lib):
    r = subprocess.run(['objdump', '-p', lib], check=True, capture_output=True, text=True)
    m = re.search(r'SONAME\s+(\S+)', r.stdout)
    return m.group(1) if m else None


# ------------------------------------------------------------- proposals

def propose_param(p, fn, params, handles, is_callback_typedef=False):
    """Annotations a person should review for a new parameter."""
    c, t, name = p['c'], p['type'], p['name']
    ct = CType(c + ' ' + name)
    names = [q['name'] for q in params]
    a = {}
    if t in handles:
        a['pointer'] = 'out_owned' if len(ct.ptrs) == 2 else 'handle'
        a['nullable'] = fn.endswith('_free')
        return a
    if t == 'user_data':
        a['nullable'] = True
        return a
    if t.endswith('_fn'):
        a['nullable'] = True
        a['scope'] = 'call'
        if 'user_data' in names:
            a['user_data'] = 'user_data'
        if 'destroy' in names and name != 'destroy':
            a['destroy'] = 'destroy'
            a['scope'] = 'notified'
        if name == 'destroy':
            a.pop('scope')
        return a
    if t.endswith('_options'):
        a['pointer'] = 'in' if ct.base_const else 'out'
        a['nullable'] = ct.base_const
        return a
    if t == 'string' and len(ct.ptrs) == 1:
        a['pointer'] = 'in'
        a['nullable'] = False
        return a
    if not ct.ptrs and ct.array is None:
        return a
    # Data pointers.
    a['pointer'] = 'in' if ct.base_const else ('out' if name.endswith('_out') or name == 'buf'
                                               else 'inout')
    a['nullable'] = False
    if ct.array:
        a['array'] = {'length': ct.array}
    elif name == 'buf' and 'capacity' in names:
        a['array'] = {'capacity_param': 'capacity'}
        if 'needed_out' in names:
            a['array']['needed_param'] = 'needed_out'
        a['nullable'] = True
    elif name == 'needed_out':
        a['nullable'] = True
    elif not name.endswith('_out'):
        for cand in ('n_' + name, 'n_values', 'n_params', 'n_rows', 'n_samples', 'n_regions',
                     'max_samples', 'len', 'n'):
            if cand in names:
                a['array'] = {'length_param': cand}
                break
    return a


def propose_member(m, members):
    """Annotations a person should review for a new option struct member."""
    names = {x['name'] for x in members}
    a = {}
    if m['type'].endswith('_fn'):
        a['nullable'] = True
        if m['type'] != 'dtb_destroy_fn':
            a['scope'] = 'notified' if 'destroy' in names else 'call'
            if 'user_data' in names:
                a['user_data'] = 'user_data'
            if 'destroy' in names:
                a['destroy'] = 'destroy'
    elif m['type'] == 'user_data' or '*' in m['c']:
        a['nullable'] = True
        if m['c'].count('*') == 2 or (m['c'].count('*') == 1 and m['type'] != 'string'
                                      and m['type'] != 'user_data'):
            for cand in ('n_' + m['name'],):
                if cand in names:
                    a['array'] = {'length_param': cand}
    if m['name'] == 'flags':
        a['flags'] = ''
    return a


def propose_return(fn):
    r = fn['returns']
    a = {}
    if r['type'] == 'string':
        a['nullable'] = True
        if 'builtin_name' in fn['name'] or fn['name'] in ('dtb_status_string',
                                                          'dtb_version_string'):
            a['ownership'] = 'static'
        elif fn['name'] == 'dtb_last_error_message':
            a['ownership'] = 'borrowed_thread_local'
            a['nullable'] = False
        else:
            a['ownership'] = 'borrowed_object'
    return a


def propose_thread_safety(fn, handles):
    ps = fn['params']
    hs = [p for p in ps if p['type'] in handles and CType(p['c'] + ' x').ptrs.__len__() == 1]
    if not hs:
        return 'any'
    first = hs[0]
    if first['c'].startswith('const ') and first['type'] in ('dtb_atlas', 'dtb_model'):
        return 'frozen'
    return 'object'


# ------------------------------------------------------------- update

def load_spec(path):
    if not os.path.exists(path):
        return {}
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def merge_list(old_list, new_list, key='name'):
    old = {o[key]: o for o in old_list or []}
    return [(n, old.get(n[key])) for n in new_list]


DERIVED_PARAM = ('name', 'c', 'type')


def merge_params(new_params, old_params, fn_name, handles, todo, where):
    quiet = old_params is None   # a new entity: its todo says so once
    old = {p['name']: p for p in old_params or []}
    merged = []
    for p in new_params:
        o = old.get(p['name'])
        q = dict(p)
        if o is not None and o.get('c') == p['c']:
            for k, v in o.items():
                if k not in DERIVED_PARAM:
                    q[k] = v
        else:
            q.update(propose_param(p, fn_name, new_params, handles))
            if not quiet:
                todo.append(f'{where}: parameter {p["name"]} '
                        + ('is new' if o is None else f'changed from {o.get("c")}'))
        merged.append(q)
    return merged


def update(spec, derived, map_where):
    handles = {t['name'] for t in derived['types'] if t['kind'] == 'handle'}
    changes = []
    new = {'format': FORMAT,
           'library': spec.get('library', {'name': 'dtb', 'header': 'dtb/dtb.h',
                                           'symbol_prefix': 'dtb_',
                                           'version_script': 'libdtb/libdtb.map'}),
           'api_version': next((c['value'] for c in derived['constants']
                                if c['name'] == 'DTB_VERSION_STRING'), None)}
    # Constants and macros.
    new['constants'] = []
    for n, o in merge_list(spec.get('constants'), derived['constants']):
        item = dict(n)
        if o:
            item.update({k: v for k, v in o.items() if k not in ('name', 'header', 'value')})
        new['constants'].append(item)
    new['macros'] = []
    for n, o in merge_list(spec.get('macros'), derived['macros']):
        item = dict(n)
        if o:
            item.update({k: v for k, v in o.items() if k not in ('name', 'header', 'params',
                                                                 'kind')})
        else:
            item['ffi_equivalent'] = ''
            item['todo'] = 'say what a binding uses instead of this macro'
            changes.append(f'macro {n["name"]}: new')
        new['macros'].append(item)
    # Types.
    new['types'] = []
    for n, o in merge_list(spec.get('types'), derived['types']):
        item = dict(n)
        todo = []
        where = f'{n["kind"]} {n["name"]}'
        if o is None:
            todo.append(f'{where}: new')
        if n['kind'] == 'handle':
            item['destructor'] = (o or {}).get('destructor', n['name'] + '_free')
            item['since'] = (o or {}).get('since', node_to_since(
                map_where.get(item['destructor'], 'DTB_?')))
            for k in ('notes',):
                if o and k in o:
                    item[k] = o[k]
        elif n['kind'] in ('enum', 'flags'):
            oldv = {v['name']: v for v in (o or {}).get('values', [])}
            for v in item['values']:
                ov = oldv.get(v['name'], {})
                v.update({k: x for k, x in ov.items() if k not in ('name', 'value')})
            if o:
                for k, x in o.items():
                    if k not in ('kind', 'name', 'header', 'values', 'underlying'):
                        item[k] = x
            else:
                item['since'] = '0.1'
                if n['kind'] == 'enum':
                    item['open'] = True
                else:
                    item['used_by'] = []
        elif n['kind'] == 'options':
            oldm = {m['name']: m for m in (o or {}).get('members', [])}
            members = []
            for m in n['members']:
                om = oldm.get(m['name'])
                q = dict(m)
                if om is not None and om.get('c') == m['c']:
                    q.update({k: x for k, x in om.items() if k not in DERIVED_PARAM})
                else:
                    if m['name'] != 'version':
                        q['since_version'] = n.get('current_version', 1)
                        q.update(propose_member(m, n['members']))
                    if o is not None:
                        todo.append(f'{where}: member {m["name"]} '
                                + ('is new' if om is None else f'changed from {om.get("c")}'))
                members.append(q)
            item['members'] = members
            if o:
                for k, x in o.items():
                    if k not in item and k != 'todo':
                        item[k] = x
            else:
                item['since'] = '0.1'
                item['pointer_lifetime'] = 'call'
        elif n['kind'] == 'callback':
            item['params'] = merge_params(n['params'], (o or {}).get('params'), n['name'],
                                          handles, todo, where)
            ret = dict(n['returns'])
            if o and o.get('returns', {}).get('c') == ret['c']:
                ret.update({k: x for k, x in o['returns'].items() if k not in ('c', 'type')})
            else:
                ret['semantics'] = 'nonzero_cancels' if ret['type'] == 'int32' else (
                    'none' if ret['type'] == 'void' else 'value')
            item['returns'] = ret
            if o:
                for k, x in o.items():
                    if k not in item and k != 'todo':
                        item[k] = x
            else:
                item['since'] = '0.1'
        if o and o.get('todo') and not todo:
            item['todo'] = o['todo']
        if todo:
            item['todo'] = '; '.join(todo) + ' -- review, then delete this key'
            changes.extend(todo)
        new['types'].append(item)
    # Functions.
    new['functions'] = []
    for n, o in merge_list(spec.get('functions'), derived['functions']):
        item = {'name': n['name'], 'header': n['header'],
                'since': node_to_since(map_where.get(n['name'], 'DTB_?'))}
        if 'deprecated' in n:
            item['deprecated'] = n['deprecated']
        todo = []
        where = f'function {n["name"]}'
        if o is None:
            todo.append(f'{where}: new')
        ret = dict(n['returns'])
        if o and o.get('returns', {}).get('c') == ret['c']:
            ret.update({k: x for k, x in o['returns'].items() if k not in ('c', 'type')})
        else:
            ret.update(propose_return(n))
            if o:
                todo.append(f'{where}: return type changed from {o.get("returns", {}).get("c")}')
        item['returns'] = ret
        item['params'] = merge_params(n['params'], (o or {}).get('params'), n['name'], handles,
                                      todo, where)
        if o:
            for k, x in o.items():
                if k not in item and k not in ('todo', 'deprecated'):
                    item[k] = x
            if o.get('todo') and not todo:
                item['todo'] = o['todo']
        if 'thread_safety' not in item:
            item['thread_safety'] = propose_thread_safety(n, handles)
        if todo:
            item['todo'] = '; '.join(todo) + ' -- review, then delete this key'
            changes.extend(todo)
        new['functions'].append(item)
    gone = ({f['name'] for f in spec.get('functions', [])}
            - {f['name'] for f in new['functions']})
    gone |= {t['name'] for t in spec.get('types', [])} - {t['name'] for t in new['types']}
    changes.extend(f'{g}: no longer in the headers, removed from the spec' for g in sorted(gone))
    return new, changes


# ------------------------------------------------------------- writing

def order_keys(obj):
    if isinstance(obj, dict):
        keys = sorted(obj, key=lambda k: (KEY_ORDER.index(k) if k in KEY_ORDER
                                          else len(KEY_ORDER), k))
        return {k: order_keys(obj[k]) for k in keys}
    if isinstance(obj, list):
        return [order_keys(x) for x in obj]
    return obj


def dumps(obj, indent=0, width=120):
    """JSON with small objects and arrays on one line (readable diffs)."""
    one = json.dumps(obj, ensure_ascii=False)
    if len(one) + indent <= width or not isinstance(obj, (dict, list)):
        return one
    pad = ' ' * (indent + 2)
    if isinstance(obj, dict):
        inner = [f'{pad}{json.dumps(k)}: {dumps(v, indent + 2, width)}' for k, v in obj.items()]
        return '{\n' + ',\n'.join(inner) + '\n' + ' ' * indent + '}'
    inner = [pad + dumps(v, indent + 2, width) for v in obj]
    return '[\n' + ',\n'.join(inner) + '\n' + ' ' * indent + ']'


def write_spec(path, spec):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(dumps(order_keys(spec)) + '\n')


# --------------------------------------------------------------- check

def strip_human(obj, derived_keys):
    return {k: v for k, v in obj.items() if k in derived_keys}


def check_annotations(spec, derived, problems):
    kinds = {t['name']: t['kind'] for t in spec.get('types', [])}
    handles = {n for n, k in kinds.items() if k == 'handle'}
    functions = {f['name']: f for f in spec.get('functions', [])}
    depth = derived['_string_depth']

    def check_param(p, params, where, is_member=False):
        c, t, name = p['c'], p['type'], p['name']
        ct = CType(c + ' ' + name)
        names = {q['name']: q for q in params}
        w = f'{where}: {"member" if is_member else "parameter"} {name}'
        is_ptr = bool(ct.ptrs) or ct.array is not None
        is_cb = kinds.get(t) == 'callback'
        if t == 'user_data':
            if 'nullable' not in p:
                problems.append(f'{w}: say "nullable"')
            return
        if is_cb:
            if 'nullable' not in p:
                problems.append(f'{w}: say "nullable"')
            if name != 'destroy' and t != 'dtb_destroy_fn':
                if p.get('scope') not in SCOPES:
                    problems.append(f'{w}: "scope" must be one of {sorted(SCOPES)}')
                ud = p.get('user_data')
                if ud is not None and ud not in names:
                    problems.append(f'{w}: user_data "{ud}" is not a sibling')
                ds = p.get('destroy')
                if ds is not None and ds not in names:
                    problems.append(f'{w}: destroy "{ds}" is not a sibling')
                if p.get('scope') == 'notified' and ds is None:
                    problems.append(f'{w}: a notified callback needs a "destroy"')
            return
        if t == 'string' and depth(c) == 0 and not ct.ptrs[1:]:
            pass  # a plain const char *
        if not is_ptr:
            for k in ('pointer', 'nullable', 'array'):
                if k in p:
                    problems.append(f'{w}: "{k}" on a value that is not a pointer')
            return
        if is_member and kinds.get(t) is None and t == 'string' and len(ct.ptrs) == 1:
            if 'nullable' not in p:
                problems.append(f'{w}: say "nullable"')
            return
        ptr = p.get('pointer')
        if not is_member:
            if ptr not in POINTER_KINDS:
                problems.append(f'{w}: "pointer" must be one of {sorted(POINTER_KINDS)}')
            elif t in handles:
                want = 'out_owned' if len(ct.ptrs) == 2 else 'handle'
                if ptr != want:
                    problems.append(f'{w}: a {c} is "{want}", not "{ptr}"')
            elif ct.base_const and ptr not in ('in',) and len(ct.ptrs) <= 1:
                problems.append(f'{w}: const data can only be "in"')
            elif ptr in ('handle', 'out_owned'):
                problems.append(f'{w}: "{ptr}" is for handles only')
        if 'nullable' not in p:
            problems.append(f'{w}: say "nullable"')
        arr = p.get('array')
        if arr is not None:
            keys = set(arr)
            if not keys <= {'length', 'length_param', 'capacity_param', 'needed_param',
                            'length_expr'}:
                problems.append(f'{w}: unknown "array" keys {sorted(keys)}')
            for k in ('length_param', 'capacity_param', 'needed_param'):
                if k in arr:
                    q = names.get(arr[k])
                    if q is None:
                        problems.append(f'{w}: array {k} "{arr[k]}" is not a sibling')
                    elif k != 'needed_param' and q['type'] not in INTEGERS:
                        problems.append(f'{w}: array {k} "{arr[k]}" is not an integer')
                    elif k == 'needed_param' and q['c'] != 'size_t *':
                        problems.append(f'{w}: needed_param "{arr[k]}" is not a size_t *')
            if ct.array and arr.get('length') != ct.array:
                problems.append(f'{w}: a [{ct.array}] array has "length": {ct.array}')
            if 'length_expr' in arr:
                expr = arr['length_expr']
                if not isinstance(expr, str):
                    problems.append(f'{w}: "length_expr" is text')
                else:
                    for ident in re.findall(r'[A-Za-z_]\w*', expr):
                        if ident not in names and ident not in functions:
                            problems.append(f'{w}: length_expr names "{ident}", which is '
                                            'neither a sibling nor a function')
        elif ct.array:
            problems.append(f'{w}: say "array": {{"length": {ct.array}}}')
        elif t not in handles and not t.endswith('_options') and ptr in ('in', 'inout') \
                and not (t == 'string' and len(ct.ptrs) == 1) and t != 'void':
            problems.append(f'{w}: say how long the array is ("array"), or use a single '
                            'value with "array": {"length": 1}')

    def check_returns(r, where):
        if r['type'] == 'string':
            if r.get('ownership') not in OWNERSHIP:
                problems.append(f'{where}: returned string needs "ownership" in '
                                f'{sorted(OWNERSHIP)}')
            if 'nullable' not in r:
                problems.append(f'{where}: returned string: say "nullable"')

    for t in spec.get('types', []):
        where = f'{t["kind"]} {t["name"]}'
        if 'todo' in t:
            problems.append(f'{where}: todo left: {t["todo"]}')
        if t['kind'] == 'handle':
            d = functions.get(t.get('destructor'))
            if d is None or len(d['params']) != 1 or d['params'][0]['type'] != t['name']:
                problems.append(f'{where}: destructor {t.get("destructor")} is not a function '
                                f'taking a {t["name"]} *')
        elif t['kind'] == 'enum':
            if t.get('underlying') != 'int32':
                problems.append(f'{where}: no FORCE32 entry, the enum size is not pinned')
            if not isinstance(t.get('open'), bool):
                problems.append(f'{where}: say "open" (may new values appear?)')
        elif t['kind'] == 'flags':
            for u in t.get('used_by', []) or [None]:
                if u is None:
                    problems.append(f'{where}: say which member or parameter it is used by')
                    continue
                s, _, m = u.partition('.')
                st = next((x for x in spec['types'] if x['name'] == s), None)
                if st is None or m not in {x['name'] for x in st.get('members', [])}:
                    problems.append(f'{where}: used_by {u} is not an option struct member')
        elif t['kind'] == 'options':
            if t.get('pointer_lifetime') not in ('call',):
                problems.append(f'{where}: say "pointer_lifetime" ("call": the library copies '
                                'what the pointers point to during the call)')
            members = t['members']
            if not members or members[0]['name'] != 'version' or members[0]['c'] != 'uint32_t':
                problems.append(f'{where}: the first member must be uint32_t version')
            for m in members[1:]:
                sv = m.get('since_version')
                if not isinstance(sv, int) or not 1 <= sv <= t.get('current_version', 0):
                    problems.append(f'{where}: member {m["name"]}: since_version must be '
                                    f'1..{t.get("current_version")}')
                if 'enum' in m and kinds.get(m['enum']) != 'enum':
                    problems.append(f'{where}: member {m["name"]}: enum {m["enum"]} unknown')
                if 'flags' in m and kinds.get(m['flags']) != 'flags':
                    problems.append(f'{where}: member {m["name"]}: flags {m["flags"]} unknown')
                check_param(m, members, where, is_member=True)
            for k in ('version_macro', 'init_macro', 'init_function'):
                if k not in t:
                    problems.append(f'{where}: no {k} found in the headers')
        elif t['kind'] == 'callback':
            r = t['returns']
            if r.get('semantics') not in CALLBACK_RETURNS:
                problems.append(f'{where}: returns.semantics must be one of '
                                f'{sorted(CALLBACK_RETURNS)}')
            if t['params'] and t['params'][-1]['type'] != 'user_data':
                problems.append(f'{where}: user_data must be the last parameter')
            for p in t['params']:
                check_param(p, t['params'], where)
    for m in spec.get('macros', []):
        if 'todo' in m:
            problems.append(f'macro {m["name"]}: todo left: {m["todo"]}')
        if not m.get('ffi_equivalent'):
            problems.append(f'macro {m["name"]}: say what a binding uses instead '
                            '("ffi_equivalent")')
    for f in spec.get('functions', []):
        where = f'function {f["name"]}'
        if 'todo' in f:
            problems.append(f'{where}: todo left: {f["todo"]}')
        if f.get('thread_safety') not in THREAD_SAFETY:
            problems.append(f'{where}: "thread_safety" must be one of {sorted(THREAD_SAFETY)}')
        if f.get('stability', 'stable') not in STABILITY:
            problems.append(f'{where}: "stability" must be one of {sorted(STABILITY)}')
        check_returns(f['returns'], where)
        for p in f['params']:
            check_param(p, f['params'], where)
        cbs = [p for p in f['params'] if kinds.get(p['type']) == 'callback'
               and p['type'] != 'dtb_destroy_fn']
        uds = [p for p in f['params'] if p['type'] == 'user_data']
        if cbs and (not uds or f['params'][-1]['type'] not in ('user_data', 'dtb_destroy_fn')):
            problems.append(f'{where}: user_data (and destroy) must come last')


def compare_derived(spec, derived, problems):
    def index(items):
        return {i['name']: i for i in items}

    sf, df = index(spec.get('functions', [])), index(derived['functions'])
    missing = sorted(set(df) - set(sf))
    stale = sorted(set(sf) - set(df))
    if missing:
        problems.append('functions missing from the spec: ' + ', '.join(missing))
    if stale:
        problems.append('functions in the spec but not in the headers (stale): '
                        + ', '.join(stale))
    for name in sorted(set(sf) & set(df)):
        s, d = sf[name], df[name]
        if s.get('header') != d['header']:
            problems.append(f'function {name}: header is {d["header"]}, spec says '
                            f'{s.get("header")}')
        if s.get('deprecated') != d.get('deprecated'):
            problems.append(f'function {name}: deprecated is {d.get("deprecated")!r} in the '
                            f'header, spec says {s.get("deprecated")!r}')
        if strip_human(s['returns'], ('c', 'type')) != d['returns']:
            problems.append(f'function {name}: returns {d["returns"]["c"]}, spec says '
                            f'{s["returns"].get("c")}')
        sp = [strip_human(p, DERIVED_PARAM) for p in s['params']]
        if sp != d['params']:
            problems.append(f'function {name}: parameters are '
                            f'({", ".join(p["c"] + " " + p["name"] for p in d["params"])}), '
                            f'spec says ({", ".join(p.get("c", "?") + " " + p["name"] for p in s["params"])})')
    st, dt = index(spec.get('types', [])), index(derived['types'])
    for name in sorted(set(dt) - set(st)):
        problems.append(f'{dt[name]["kind"]} {name} missing from the spec')
    for name in sorted(set(st) - set(dt)):
        problems.append(f'{st[name]["kind"]} {name} in the spec but not in the headers (stale)')
    for name in sorted(set(st) & set(dt)):
        s, d = st[name], dt[name]
        w = f'{d["kind"]} {name}'
        if s.get('kind') != d['kind'] or s.get('header') != d['header']:
            problems.append(f'{w}: kind/header differ from the headers ({d["kind"]}, '
                            f'{d["header"]})')
            continue
        if d['kind'] in ('enum', 'flags'):
            sv = [(v['name'], v['value']) for v in s.get('values', [])]
            dv = [(v['name'], v['value']) for v in d['values']]
            if sv != dv:
                problems.append(f'{w}: values are {dv}, spec says {sv}')
            if s.get('underlying') != d['underlying']:
                problems.append(f'{w}: underlying is {d["underlying"]}')
        elif d['kind'] == 'options':
            sm = [strip_human(m, DERIVED_PARAM) for m in s.get('members', [])]
            if sm != d['members']:
                problems.append(f'{w}: members are '
                                f'{[(m["name"], m["c"]) for m in d["members"]]}, spec says '
                                f'{[(m.get("name"), m.get("c")) for m in s.get("members", [])]}')
            for k in ('version_macro', 'current_version', 'init_macro', 'init_function'):
                if s.get(k) != d.get(k):
                    problems.append(f'{w}: {k} is {d.get(k)}, spec says {s.get(k)}')
        elif d['kind'] == 'callback':
            if strip_human(s['returns'], ('c', 'type')) != d['returns'] or \
                    [strip_human(p, DERIVED_PARAM) for p in s['params']] != d['params']:
                problems.append(f'{w}: signature differs from the header')
    for what in ('constants', 'macros'):
        sc = {c['name']: c for c in spec.get(what, [])}
        dc = {c['name']: c for c in derived[what]}
        for name in sorted(set(dc) - set(sc)):
            problems.append(f'{what[:-1]} {name} missing from the spec')
        for name in sorted(set(sc) - set(dc)):
            problems.append(f'{what[:-1]} {name} in the spec but not in the headers (stale)')
        for name in sorted(set(sc) & set(dc)):
            for k in ('value', 'header', 'params'):
                if sc[name].get(k) != dc[name].get(k):
                    problems.append(f'{what[:-1]} {name}: {k} is {dc[name].get(k)!r}, spec '
                                    f'says {sc[name].get(k)!r}')
    api = next((c['value'] for c in derived['constants'] if c['name'] == 'DTB_VERSION_STRING'),
               None)
    if spec.get('api_version') != api:
        problems.append(f'api_version is {api}, spec says {spec.get("api_version")}')
    if spec.get('format') != FORMAT:
        problems.append(f'format must be {FORMAT}')


def compare_map_and_exports(spec, map_where, exports, lib_soname, problems):
    names = {f['name'] for f in spec.get('functions', [])}
    for what, a, b in (('in the spec but not in the version script', names, set(map_where)),
                       ('in the version script but not in the spec', set(map_where), names),
                       ('in the spec but not exported by the library', names, set(exports)),
                       ('exported by the library but not in the spec', set(exports), names)):
        if a - b:
            problems.append(f'functions {what}: {", ".join(sorted(a - b))}')
    for f in spec.get('functions', []):
        node = map_where.get(f['name'])
        if node and f.get('since') != node_to_since(node):
            problems.append(f'function {f["name"]}: since is {node_to_since(node)} (node '
                            f'{node}), spec says {f.get("since")}')
        if node and f['name'] in exports and exports[f['name']] != node:
            problems.append(f'function {f["name"]}: exported as version {exports[f["name"]]}, '
                            f'the version script says {node}')
        if node == 'DTB_EXPERIMENTAL' and f.get('stability') != 'experimental':
            problems.append(f'function {f["name"]}: in DTB_EXPERIMENTAL, say "stability": '
                            '"experimental"')
    lib = spec.get('library', {})
    if lib_soname and lib.get('soname') != lib_soname:
        problems.append(f'library.soname is {lib_soname}, spec says {lib.get("soname")}')


# ----------------------------------------------------- C static asserts

def c_decl(c, name=''):
    """A C declaration of `name` with the spec's C type `c`."""
    m = re.fullmatch(r'(.*?)(\[\d+\])', c)
    if m:
        return f'{m.group(1)} {name}{m.group(2)}'
    return f'{c} {name}'.replace('* ', '*') if name else c


def emit_c(spec):
    out = ['/* Generated by bindings-spec/spec_tool.py emit-c from dtb-api.json:',
           ' * compiling it proves the registry matches <dtb/dtb.h>. */',
           '#include <stddef.h>', '#include <dtb/dtb.h>', '',
           '#define SAME(a, b) __builtin_types_compatible_p(a, b)', '']
    n = 0

    def sa(cond, msg):
        nonlocal n
        n += 1
        out.append(f'_Static_assert({cond}, "{msg}");')

    for c in spec.get('constants', []):
        if isinstance(c['value'], int):
            sa(f'({c["name"]}) == {c["value"]}', f'{c["name"]} == {c["value"]}')
    for t in spec.get('types', []):
        name = t['name']
        if t['kind'] == 'handle':
            sa(f'SAME({name}, struct {name})', f'{name} is an opaque struct')
        elif t['kind'] == 'enum':
            sa(f'sizeof({name}) == 4', f'{name} is 4 bytes')
            for v in t['values']:
                sa(f'{v["name"]} == {v["value"]}', f'{v["name"]} == {v["value"]}')
        elif t['kind'] == 'flags':
            for v in t['values']:
                sa(f'{v["name"]} == {v["value"]}u', f'{v["name"]} == {v["value"]}')
        elif t['kind'] == 'options':
            ms = t['members']
            for m in ms:
                sa(f'SAME(__typeof__((({name} *)0)->{m["name"]}), {m["c"]})',
                   f'{name}.{m["name"]} is {m["c"]}')
            for a, b in zip(ms, ms[1:]):
                sa(f'offsetof({name}, {b["name"]}) == offsetof({name}, {a["name"]}) + '
                   f'sizeof((({name} *)0)->{a["name"]})',
                   f'{name}: {b["name"]} follows {a["name"]} without padding')
            sa(f'sizeof({name}) == offsetof({name}, {ms[-1]["name"]}) + '
               f'sizeof((({name} *)0)->{ms[-1]["name"]})',
               f'{name}: no member after {ms[-1]["name"]}, no tail padding')
            sa(f'{t["version_macro"]} == {t["current_version"]}',
               f'{t["version_macro"]} == {t["current_version"]}')
            out.append(f'static const {name} init_{name} = {t["init_macro"]};')
        elif t['kind'] == 'callback':
            params = ', '.join(c_decl(p['c']) for p in t['params']) or 'void'
            sa(f'SAME({name}, {t["returns"]["c"]} (*)({params}))', f'{name} signature')
    for f in spec.get('functions', []):
        params = ', '.join(c_decl(p['c']) for p in f['params']) or 'void'
        sa(f'SAME(__typeof__(&{f["name"]}), {f["returns"]["c"]} (*)({params}))',
           f'{f["name"]} signature')
    out.append('')
    out.append('int dtb_spec_assertions(void);')
    out.append('int dtb_spec_assertions(void) { return ' + str(n) + '; }')
    return '\n'.join(out) + '\n', n


def compile_c(source, cc, includes):
    with tempfile.NamedTemporaryFile('w', suffix='.c', delete=False) as f:
        f.write(source)
        path = f.name
    try:
        cmd = [cc, '-std=c11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', path]
        cmd += [f'-I{i}' for i in includes]
        r = subprocess.run(cmd, capture_output=True, text=True)
        return r.returncode == 0, r.stderr
    finally:
        os.unlink(path)


def run_check(spec, derived, map_where, lib, cc=None, includes=()):
    """(problems, notes): everything that disagrees, and what was proven."""
    problems, notes = [], []
    compare_derived(spec, derived, problems)
    check_annotations(spec, derived, problems)
    compare_map_and_exports(spec, map_where, exported_symbols(lib), soname(lib), problems)
    if cc and not problems:
        source, n = emit_c(spec)
        ok, err = compile_c(source, cc, includes)
        if not ok:
            problems.append('the C assertions generated from the spec do not compile against '
                            f'the headers:\n{err}')
        else:
            notes.append(f'{n} compile-time assertions hold against the headers')
    return problems, notes


# ----------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description='bindings-spec/dtb-api.json tool')
    sub = ap.add_subparsers(dest='cmd', required=True)
    for name in ('update', 'check'):
        p = sub.add_parser(name)
        p.add_argument('--spec', default=DEFAULT_SPEC)
        p.add_argument('--headers', nargs='+', required=True)
        p.add_argument('--map', required=True)
        if name == 'check':
            p.add_argument('--lib', required=True)
            p.add_argument('--cc')
            p.add_argument('-I', dest='includes', action='append', default=[])
        else:
            p.add_argument('--lib')
    e = sub.add_parser('emit-c')
    e.add_argument('--spec', default=DEFAULT_SPEC)
    args = ap.parse_args()

    if args.cmd == 'emit-c':
        sys.stdout.write(emit_c(load_spec(args.spec))[0])
        return 0
    try:
        derived = parse_headers(args.headers)
    except ValueError as e:
        print(f'cannot read the public headers: {e}')
        return 1
    map_where, _ = parse_map(args.map)
    spec = load_spec(args.spec)
    if args.cmd == 'update':
        new, changes = update(spec, derived, map_where)
        if args.lib:
            new['library']['soname'] = soname(args.lib)
        elif 'soname' in spec.get('library', {}):
            new['library']['soname'] = spec['library']['soname']
        write_spec(args.spec, new)
        for c in changes:
            print(c)
        todos = sum('todo' in x for k in ('types', 'functions', 'macros') for x in new[k])
        print(f'wrote {args.spec}: {len(new["functions"])} functions, {len(new["types"])} '
              f'types; {todos} entries to review (key "todo")')
        return 0
    if not spec:
        print(f'no spec at {args.spec}; create it with: spec_tool.py update')
        return 1
    problems, notes = run_check(spec, derived, map_where, args.lib, args.cc, args.includes)
    for n in notes:
        print(n)
    for p in problems:
        print(p)
    if problems:
        print(f'FAILED: {len(problems)} problems. Run bindings-spec/spec_tool.py update (see '
              'bindings-spec/README.md), review the proposals it marks "todo", and rerun.')
        return 1
    print(f'spec matches: {len(spec["functions"])} functions, {len(spec["types"])} types, '
          'headers, version script and exports')
    return 0


if __name__ == '__main__':
    sys.exit(main())
