#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The memory-capacity protocol of `dtb reservoir` written with NumPy, for
bench_reservoir to time next to libdtb (the same steps, not the same
random numbers):

  per network (the connectome, then each null):
    null      the strength null of dtb_atlas_rewire: Maslov-Sneppen swaps
              (none possible when every pair is connected), the weights
              matched by rank of out-strength(source) x in-strength(target),
              10 x edges weight-swap refinements, iterative proportional
              fitting to the strengths (loops in Python where each step
              depends on the last, as bctpy and netneurotools do);
    states    x(t+1) = tanh(alpha W/rho x(t) + w_in u(t+1)), rho by
              numpy.linalg.eigvals, input region 0;
    readout   ridge on the other regions for the delays 1..K: 5 contiguous
              folds of the first 70 % of the scored steps choose lambda in
              10^-8..10^2 (eigendecomposition per fold), the final fit on
              all training steps, the score the sum over delays of r^2 on
              the test steps.

  reservoir_numpy.py WEIGHTS.txt NETWORKS [ALPHA] [STEPS]
prints one line: networks, and seconds per network in total and per stage
(CPU seconds of the process, time.process_time: Debian's NumPy runs on the
reference BLAS, one thread, so they are the seconds of one core)."""
import sys
import time

import numpy as np

FOLDS, LAMBDAS = 5, [10.0 ** e for e in range(-8, 3)]


def strength_null(w, rng):
    n = len(w)
    sym = np.array_equal(w, w.T)
    off = ~np.eye(n, dtype=bool)
    mask = (w != 0) & off
    if sym:
        mask &= np.triu(np.ones((n, n), dtype=bool), 1)
    dst, src = np.nonzero(mask)            # rows are targets
    m = len(src)
    full = m >= (n * (n - 1) // (2 if sym else 1))
    g = w.copy()
    if not full:                           # Maslov-Sneppen swaps
        done, target = 0, 10 * m
        for _ in range(4 * target + 100):
            if done >= target:
                break
            e1, e2 = rng.integers(m), rng.integers(m)
            a, b, c, d = src[e1], dst[e1], src[e2], dst[e2]
            if sym and rng.random() < 0.5:
                c, d = d, c
            if e1 == e2 or len({a, b, c, d}) < 4 or g[d, a] or g[b, c]:
                continue
            w1, w2 = g[b, a], g[d, c]
            g[b, a] = g[d, c] = 0
            g[d, a], g[b, c] = w1, w2
            if sym:
                g[a, b] = g[c, d] = 0
                g[a, d], g[c, b] = w1, w2
            src[e1], dst[e1], src[e2], dst[e2] = a, d, c, b
    in0, out0 = w.sum(1) - np.diag(w), w.sum(0) - np.diag(w)
    weights = np.sort(g[dst, src])
    order = np.argsort(out0[src] * in0[dst], kind='stable')
    vals = np.empty(m)
    vals[order] = weights
    ins, outs = in0.copy() * 0, out0.copy() * 0
    np.add.at(ins, dst, vals)
    np.add.at(outs, src, vals)
    if sym:
        np.add.at(ins, src, vals)
        outs = ins
    # refinement by weight swaps: scalar Python on lists (faster than NumPy
    # indexing one element at a time), the random draws made in bulk
    vl, il, ol, i0, o0 = vals.tolist(), ins.tolist(), outs.tolist(), in0.tolist(), out0.tolist()
    sl, dl_ = src.tolist(), dst.tolist()
    draws = rng.integers(m, size=(10 * m, 2)).tolist()
    for e1, e2 in draws:
        dl = vl[e2] - vl[e1]
        if e1 == e2 or dl == 0:
            continue
        a, b, c, d = sl[e1], dl_[e1], sl[e2], dl_[e2]
        if sym:   # an undirected edge counts at both ends
            touch = [(a, dl), (b, dl), (c, -dl), (d, -dl)]
            change = 0.0
            acc = {}
            for node, x in touch:
                acc[node] = acc.get(node, 0.0) + x
            for node, x in acc.items():
                e = il[node] - i0[node]
                change += 2 * ((e + x) ** 2 - e * e)
            if change < 0:
                for node, x in acc.items():
                    il[node] += x
                vl[e1], vl[e2] = vl[e2], vl[e1]
            continue
        ea, ec, eb, ed = ol[a] - o0[a], ol[c] - o0[c], il[b] - i0[b], il[d] - i0[d]
        if a == c or b == d:
            continue   # (rare) left out of this sketch
        change = dl * (2 * ea + dl) - dl * (2 * ec - dl) + dl * (2 * eb + dl) - dl * (2 * ed - dl)
        if change < 0:
            vl[e1], vl[e2] = vl[e2], vl[e1]
            ol[a] += dl
            ol[c] -= dl
            il[b] += dl
            il[d] -= dl
    vals = np.array(vl)
    for _ in range(20000):                 # iterative proportional fitting
        ins = np.bincount(dst, vals, n) + (np.bincount(src, vals, n) if sym else 0)
        outs = ins if sym else np.bincount(src, vals, n)
        ok = in0 > 0
        err = max(np.max(np.abs(ins[ok] - in0[ok]) / in0[ok]),
                  np.max(np.abs(outs[out0 > 0] - out0[out0 > 0]) / out0[out0 > 0]))
        if err <= 1e-12:
            break
        if sym:
            f = np.sqrt(np.where(ins > 0, in0 / np.where(ins > 0, ins, 1), 1))
            vals *= f[src] * f[dst]
        else:
            vals *= (in0 / np.where(ins > 0, ins, 1))[dst]
            outs = np.bincount(src, vals, n)
            vals *= (out0 / np.where(outs > 0, outs, 1))[src]
    out = np.diag(np.diag(w))
    out[dst, src] = vals
    if sym:
        out[src, dst] = vals
    return out


def states(w, u, alpha):
    w_hat = alpha * w / np.max(np.abs(np.linalg.eigvals(w)))
    x = np.zeros(len(w))
    X = np.empty((len(u), len(w)))
    for t, ut in enumerate(u):
        pre = w_hat @ x
        pre[0] += ut
        x = np.tanh(pre)
        X[t] = x
    return X


def readout(X, Y, washout):
    scored = np.arange(max(washout, Y.shape[1]), len(X))
    n_train = int(len(scored) * 0.7)
    train, test = scored[:n_train], scored[n_train:]
    folds = [train[[i for i in range(n_train) if i * FOLDS // n_train == f]] for f in range(FOLDS)]
    sums = []
    for f in folds:
        Xf, Yf = X[f], Y[f]
        sums.append((len(f), Xf.sum(0), Yf.sum(0), Xf.T @ Xf, Xf.T @ Yf, (Yf ** 2).sum(0)))
    tot = [sum(s[i] for s in sums) for i in range(6)]

    def basis(s):
        m, sx, sy, G, H, _ = s
        mx, my = sx / m, sy / m
        d, V = np.linalg.eigh(G - m * np.outer(mx, mx))
        return mx, my, np.maximum(d, 0), V, V.T @ (H - m * np.outer(mx, my))

    err = np.zeros(len(LAMBDAS))
    for f in range(FOLDS):
        rest = [tot[i] - sums[f][i] for i in range(6)]
        mx, my, d, V, Z = basis(rest)
        m, sx, sy, Gv, Hv, yy = sums[f]
        Gc = Gv - np.outer(mx, sx) - np.outer(sx, mx) + m * np.outer(mx, mx)
        Hc = Hv - np.outer(mx, sy) - np.outer(sx, my) + m * np.outer(mx, my)
        rr = (yy - 2 * my * sy + m * my ** 2).sum()
        A, P = V.T @ Gc @ V, V.T @ Hc
        N, c = Z @ Z.T, (Z * P).sum(1)
        for i, lam in enumerate(LAMBDAS):
            s = 1 / (d + lam)
            err[i] += rr - 2 * (s * c).sum() + (s[:, None] * A * N * s[None, :]).sum()
    mx, my, d, V, Z = basis(tot)
    lam = LAMBDAS[int(np.argmin(err))]
    W = V @ (Z / (d + lam)[:, None])
    pred = (X[test] - mx) @ W + my
    return sum(np.corrcoef(pred[:, k], Y[test, k])[0, 1] ** 2 for k in range(Y.shape[1]))


def main():
    w = np.loadtxt(sys.argv[1])
    networks = int(sys.argv[2])
    alpha = float(sys.argv[3]) if len(sys.argv) > 3 else 0.9
    T = int(sys.argv[4]) if len(sys.argv) > 4 else 4000
    rng = np.random.default_rng(42)
    K = min(100, 2 * (len(w) - 1))
    u = rng.uniform(-1, 1, T)
    Y = np.zeros((T, K))
    for k in range(1, K + 1):
        Y[k:, k - 1] = u[:-k]
    stage = {'null': 0.0, 'states': 0.0, 'readout': 0.0}
    t_all = time.process_time()
    for k in range(networks):
        t0 = time.process_time()
        net = w if k == 0 else strength_null(w, rng)
        t1 = time.process_time()
        X = states(net, u, alpha)[:, 1:]
        t2 = time.process_time()
        score = readout(X, Y, 200)
        if k == 0:
            first = score
        t3 = time.process_time()
        stage['null'] += t1 - t0
        stage['states'] += t2 - t1
        stage['readout'] += t3 - t2
    total = time.process_time() - t_all
    nulls = max(networks - 1, 1)
    print('numpy %d networks: %.4f s per network (null %.4f s per null, states %.4f s, readout '
          '%.4f s); the connectome scores %.4f' % (networks, total / networks, stage['null'] / nulls,
                                                   stage['states'] / networks,
                                                   stage['readout'] / networks, first))


if __name__ == '__main__':
    main()
