#!/usr/bin/python3
"""Firing periods of the exponential and the quadratic integrate-and-fire
cells under a constant current, by SciPy from the equations of the papers,
never by libdtb: the reference of libdtb's built-in 'eif' and 'qif' cells
(libdtb/spiking/builtin/eif.xml, qif.xml; tests/spiking/test_cell_paths.c).

Units: mV, ms, nF, uS, nA, MOhm (uS * mV = nA, nA / nF = mV/ms, MOhm * nA = mV).

EIF (Fourcaud-Trocme et al. 2003), the built-in defaults (AdEx's without
adaptation, Brette and Gerstner 2005):
    C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T) / Delta_T) + I
    C 0.281, g_L 0.03, E_L -70.6, V_T -50.4, Delta_T 2, V_reset -70.6,
    V_peak -40.4, t_ref 2.
QIF (Latham et al. 2000), the built-in defaults:
    tau_m dV/dt = (V - V_rest)(V - V_c) / (V_c - V_rest) + R_m I
    tau_m 20, R_m 100, V_rest -65, V_c -50, V_peak 20, V_reset -70, t_ref 2.

A cell at V_reset after its refractory period reaches V_peak after
    T = integral from V_reset to V_peak of dV / (dV/dt)
(dV/dt > 0 throughout for a current above rheobase), and fires with the
period T + t_ref. T by scipy.integrate.quad (epsabs 1e-12, epsrel 1e-13),
checked against solve_ivp (DOP853, rtol = atol = 1e-12) with event location
(their largest difference is printed and stored: the reference's own error
bound); for the QIF also against the closed form
    T = 2 D tau_m / b (atan(u_peak / b) - atan(u_reset / b)),
    u = V - (V_rest + V_c) / 2, D = (V_c - V_rest) / 2, b = sqrt(2 D R_m I - D^2).
Writes eif_qif_periods.csv beside this script (cell, I_e in nA, period in
ms, to 17 significant digits: what the test reads) and eif_qif.json (the
parameters and both computations). Seconds of CPU."""
import json
import math
import os

from scipy.integrate import quad, solve_ivp

EIF = dict(C=0.281, g_L=0.03, E_L=-70.6, V_T=-50.4, Delta_T=2.0, V_reset=-70.6, V_peak=-40.4,
           t_ref=2.0)
QIF = dict(tau_m=20.0, R_m=100.0, V_rest=-65.0, V_c=-50.0, V_peak=20.0, V_reset=-70.0, t_ref=2.0)
CURRENTS = {'eif': [0.7, 0.8, 1.0, 1.5], 'qif': [0.05, 0.08, 0.12, 0.2]}


def eif_rate(v, i_e, p=EIF):
    return (-p['g_L'] * (v - p['E_L']) + p['g_L'] * p['Delta_T'] * math.exp((v - p['V_T']) / p['Delta_T'])
            + i_e) / p['C']


def qif_rate(v, i_e, p=QIF):
    return ((v - p['V_rest']) * (v - p['V_c']) / (p['V_c'] - p['V_rest']) + p['R_m'] * i_e) / p['tau_m']


def by_quad(rate, i_e, p):
    t, err = quad(lambda v: 1.0 / rate(v, i_e), p['V_reset'], p['V_peak'], epsabs=1e-12, epsrel=1e-13,
                  limit=500)
    return t


def by_ode(rate, i_e, p):
    def peak(t, y):
        return y[0] - p['V_peak']
    peak.terminal = True
    peak.direction = 1
    sol = solve_ivp(lambda t, y: [rate(y[0], i_e)], (0.0, 10000.0), [p['V_reset']], method='DOP853',
                    rtol=1e-12, atol=1e-12, events=peak)
    assert sol.t_events[0].size == 1
    return float(sol.t_events[0][0])


def qif_closed(i_e, p=QIF):
    d = (p['V_c'] - p['V_rest']) / 2.0
    vm = (p['V_c'] + p['V_rest']) / 2.0
    b = math.sqrt(2.0 * d * p['R_m'] * i_e - d * d)
    return 2.0 * d * p['tau_m'] / b * (math.atan((p['V_peak'] - vm) / b) - math.atan((p['V_reset'] - vm) / b))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rows, record = [], {'eif': dict(params=EIF, cases=[]), 'qif': dict(params=QIF, cases=[])}
    worst = 0.0
    for cell, rate, p in (('eif', eif_rate, EIF), ('qif', qif_rate, QIF)):
        for i_e in CURRENTS[cell]:
            tq = by_quad(rate, i_e, p)
            to = by_ode(rate, i_e, p)
            case = dict(I_e=i_e, to_peak_quad=tq, to_peak_ode=to, period=tq + p['t_ref'])
            diffs = [abs(tq - to)]
            if cell == 'qif':
                tc = qif_closed(i_e)
                case['to_peak_closed_form'] = tc
                diffs.append(abs(tq - tc))
            worst = max(worst, max(diffs))
            record[cell]['cases'].append(case)
            rows.append('%s,%r,%.17g' % (cell, i_e, tq + p['t_ref']))
            print('%s I_e %.3f nA: period %.12f ms (quad - ode %.2e ms)' % (cell, i_e, tq + p['t_ref'],
                                                                           tq - to))
    record['largest_difference_ms'] = worst
    print('largest difference between the computations: %.2e ms' % worst)
    assert worst < 1e-8
    with open(os.path.join(here, 'eif_qif.json'), 'w') as f:
        json.dump(record, f, indent=1)
        f.write('\n')
    with open(os.path.join(here, 'eif_qif_periods.csv'), 'w') as f:
        f.write('cell,I_e_nA,period_ms\n' + '\n'.join(rows) + '\n')


if __name__ == '__main__':
    main()
