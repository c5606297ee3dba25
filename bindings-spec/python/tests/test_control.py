# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb.Controller on the linear node (dx/dt = -10/ms x + u: x settles at
u / 10): a PI controller holds x through a disturbance, limits without
wind-up, a Python rule, an exception in the rule."""
import math

import pytest

import dtb


def linear_sim():
    sim = dtb.Sim(dtb.Atlas.from_arrays([[0, 0], [0, 0]]), dtb.Model('linear'), speed=math.inf)
    sim.set_initial_value(0, 0.0)
    return sim


def x0(sim):
    return sim.state[0][0]


def test_pi_holds_the_target():
    sim = linear_sim()
    sim.add_stimulus(dtb.Stimulus('x').add('step', onset=0.5, amplitude=-1.0).regions([0]))
    c = dtb.Controller(kp=5, ki=200, target=0.2, limits=(-5, 5))
    c.attach(sim, 'x', region=0, period=0.01, into='x', regions=[0])
    sim.step(10000)
    assert abs(x0(sim) - 0.2) < 1e-3
    assert abs(c.output - 3.0) < 1e-2
    assert c.updates == 100 and abs(c.measurement - 0.2) < 1e-3
    c.set_target(0.1)
    sim.step(6000)
    assert abs(x0(sim) - 0.1) < 2e-3


def test_rule_and_its_exception():
    sim = linear_sim()
    seen = []
    c = dtb.Controller(rule=lambda t, y: seen.append(y) or 1.0)
    c.attach(sim, 'x', 1, 0.005, 'x')
    sim.step(1000)
    assert len(seen) == 20 and c.output == 1.0
    with pytest.raises(dtb.InvalidArgument):
        c.set_target(1.0)
    sim = linear_sim()

    def broken(t, y):
        raise ValueError('rule broke')
    dtb.Controller(rule=broken).attach(sim, 'x', 0, 0.01, 'x')
    with pytest.raises((ValueError, dtb.Cancelled)):
        sim.step(1000)


def test_bad_input():
    with pytest.raises(dtb.InvalidArgument, match='min 1 is not below max -1'):
        dtb.Controller(kp=1, limits=(1, -1))
    with pytest.raises(dtb.InvalidArgument):
        dtb.Controller(rule=3)
    c = dtb.Controller(kp=1)
    with pytest.raises(dtb.InvalidArgument, match='whole number of steps'):
        c.attach(linear_sim(), 'x', 0, 0.00025, 'x')
