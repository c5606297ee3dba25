#!/usr/bin/env python3
"""Tests of the spec check itself (meson suite 'spec'): the real registry
passes, and every kind of drift between the registry and the code makes
the check fail and name what drifted. Standard library only.

usage: test_spec_tool.py LIB MAP CC INCLUDE_DIRS(:-separated) HEADER...
"""
import copy
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import spec_tool  # noqa: E402

ARGS = {}


def fn(spec, name):
    return next(f for f in spec['functions'] if f['name'] == name)


def param(spec, function, name):
    return next(p for p in fn(spec, function)['params'] if p['name'] == name)


def typ(spec, name):
    return next(t for t in spec['types'] if t['name'] == name)


class SpecCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = spec_tool.load_spec(spec_tool.DEFAULT_SPEC)
        cls.derived = spec_tool.parse_headers(ARGS['headers'])
        cls.map_where, _ = spec_tool.parse_map(ARGS['map'])

    def problems(self, spec, cc=False, derived=None):
        problems, _ = spec_tool.run_check(spec, derived or self.derived, self.map_where,
                                          ARGS['lib'], ARGS['cc'] if cc else None,
                                          ARGS['includes'])
        return problems

    def assertFlags(self, spec, *needles):
        text = '\n'.join(self.problems(spec))
        self.assertTrue(text, 'the check passed a broken spec')
        for n in needles:
            self.assertIn(n, text)

    def test_real_spec_passes_with_c_assertions(self):
        self.assertEqual(self.problems(self.spec, cc=True), [])

    def test_function_missing_from_spec(self):
        spec = copy.deepcopy(self.spec)
        spec['functions'] = [f for f in spec['functions'] if f['name'] != 'dtb_sim_step']
        self.assertFlags(spec, 'functions missing from the spec: dtb_sim_step')

    def test_stale_function_in_spec(self):
        spec = copy.deepcopy(self.spec)
        extra = copy.deepcopy(fn(spec, 'dtb_sim_step'))
        extra['name'] = 'dtb_sim_step_gone'
        spec['functions'].append(extra)
        self.assertFlags(spec, 'in the spec but not in the headers (stale): dtb_sim_step_gone',
                         'in the spec but not in the version script: dtb_sim_step_gone')

    def test_parameter_type_drift(self):
        spec = copy.deepcopy(self.spec)
        param(spec, 'dtb_sim_step', 'n_steps')['c'] = 'int32_t'
        self.assertFlags(spec, 'function dtb_sim_step: parameters are')

    def test_enum_value_drift(self):
        spec = copy.deepcopy(self.spec)
        typ(spec, 'dtb_status')['values'][2]['value'] = -20
        self.assertFlags(spec, 'enum dtb_status: values are')

    def test_option_member_drift(self):
        spec = copy.deepcopy(self.spec)
        typ(spec, 'dtb_sim_options')['members'].pop()
        self.assertFlags(spec, 'options dtb_sim_options: members are')

    def test_todo_left(self):
        spec = copy.deepcopy(self.spec)
        fn(spec, 'dtb_sim_run')['todo'] = 'review'
        self.assertFlags(spec, 'function dtb_sim_run: todo left')

    def test_missing_annotations(self):
        spec = copy.deepcopy(self.spec)
        del fn(spec, 'dtb_atlas_name')['returns']['ownership']
        del param(spec, 'dtb_sim_get_state', 'buf')['nullable']
        del param(spec, 'dtb_sim_run', 'progress')['scope']
        del fn(spec, 'dtb_sim_time')['thread_safety']
        self.assertFlags(spec, 'function dtb_atlas_name: returned string needs "ownership"',
                         'function dtb_sim_get_state: parameter buf: say "nullable"',
                         'function dtb_sim_run: parameter progress: "scope" must be one of',
                         'function dtb_sim_time: "thread_safety" must be one of')

    def test_inconsistent_annotations(self):
        spec = copy.deepcopy(self.spec)
        param(spec, 'dtb_sim_get_state', 'buf')['array'] = {'capacity_param': 'cap'}
        param(spec, 'dtb_sim_set_state', 'x')['pointer'] = 'out'
        del param(spec, 'dtb_sim_set_param_regions', 'values')['array']
        param(spec, 'dtb_atlas_clone', 'out')['pointer'] = 'handle'
        self.assertFlags(spec, 'array capacity_param "cap" is not a sibling',
                         'function dtb_sim_set_state: parameter x: const data can only be "in"',
                         'function dtb_sim_set_param_regions: parameter values: say how long',
                         'function dtb_atlas_clone: parameter out: a dtb_atlas ** is "out_owned"')

    def test_since_must_match_version_node(self):
        spec = copy.deepcopy(self.spec)
        fn(spec, 'dtb_sim_run')['since'] = '0.2'
        self.assertFlags(spec, 'function dtb_sim_run: since is 0.1 (node DTB_0.1), spec says 0.2')

    def test_c_assertions_catch_what_the_parser_might_miss(self):
        # A wrong type written consistently into both the derived facts and
        # the registry can only be caught by the compiler.
        spec = copy.deepcopy(self.spec)
        derived = copy.deepcopy(self.derived)
        param(spec, 'dtb_sim_step', 'n_steps')['c'] = 'int32_t'
        next(p for p in next(f for f in derived['functions'] if f['name'] == 'dtb_sim_step')
             ['params'] if p['name'] == 'n_steps')['c'] = 'int32_t'
        text = '\n'.join(self.problems(spec, cc=True, derived=derived))
        self.assertIn('do not compile', text)
        self.assertIn('dtb_sim_step signature', text)

    def test_update_adds_new_functions_for_review(self):
        spec = copy.deepcopy(self.spec)
        spec['functions'] = [f for f in spec['functions'] if f['name'] != 'dtb_sim_get_state']
        new, changes = spec_tool.update(spec, self.derived, self.map_where)
        entry = fn(new, 'dtb_sim_get_state')
        self.assertIn('todo', entry)
        self.assertEqual(param(new, 'dtb_sim_get_state', 'buf')['array'],
                         {'capacity_param': 'capacity', 'needed_param': 'needed_out'})
        self.assertIn('function dtb_sim_get_state: new', changes)
        self.assertFlags(new, 'function dtb_sim_get_state: todo left')
        # Everything else is kept as it was reviewed.
        del entry['todo']
        self.assertEqual(self.problems(new), [])

    def test_update_keeps_annotations(self):
        new, changes = spec_tool.update(copy.deepcopy(self.spec), self.derived, self.map_where)
        self.assertEqual(changes, [])
        self.assertEqual(spec_tool.dumps(spec_tool.order_keys(new)),
                         spec_tool.dumps(spec_tool.order_keys(self.spec)))

    def derived_from_edited_headers(self, header, old, new):
        """The derived facts of a copy of the headers with one edit."""
        with tempfile.TemporaryDirectory() as tmp:
            headers = []
            for h in ARGS['headers']:
                dst = os.path.join(tmp, os.path.basename(h))
                shutil.copy(h, dst)
                headers.append(dst)
            path = os.path.join(tmp, header)
            text = spec_tool.read_text(path)
            self.assertIn(old, text)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text.replace(old, new, 1))
            return spec_tool.parse_headers(headers)

    def test_header_drift_is_seen(self):
        # A copy of the headers with one more function: the spec is stale.
        derived = self.derived_from_edited_headers(
            'dtb_sim.h', 'DTB_END_DECLS',
            'DTB_API dtb_status dtb_sim_new_thing(dtb_sim *sim, double x);\nDTB_END_DECLS')
        text = '\n'.join(self.problems(self.spec, derived=derived))
        self.assertIn('functions missing from the spec: dtb_sim_new_thing', text)

    def test_deprecation_is_derived(self):
        derived = self.derived_from_edited_headers(
            'dtb_sim.h', 'DTB_API dtb_status dtb_sim_step(',
            'DTB_API DTB_DEPRECATED("use dtb_sim_run") dtb_status dtb_sim_step(')
        text = '\n'.join(self.problems(self.spec, derived=derived))
        self.assertIn("function dtb_sim_step: deprecated is 'use dtb_sim_run' in the header", text)
        new, _ = spec_tool.update(copy.deepcopy(self.spec), derived, self.map_where)
        self.assertEqual(fn(new, 'dtb_sim_step')['deprecated'], 'use dtb_sim_run')
        self.assertEqual(self.problems(new, derived=derived), [])


def main():
    ARGS['lib'], ARGS['map'], ARGS['cc'] = sys.argv[1:4]
    ARGS['includes'] = sys.argv[4].split(':')
    ARGS['headers'] = sys.argv[5:]
    unittest.main(argv=[sys.argv[0], '-v'])


if __name__ == '__main__':
    main()
