#!/usr/bin/python3
"""Independent NumPy references for tests/reservoir/test_reservoir.c.

Writes tests/reservoir/data/:
  esn_w.txt        a 12-region directed weight matrix (rows are targets)
  esn_u.txt        300 steps of one input channel, uniform on [-1, 1]
  esn_<f>.txt      the echo-state states for f = tanh, identity, sigmoid:
                   x(0) = 0, x(t+1) = f(alpha W^ x(t) + w_in u(t+1)),
                   W^ = W / max|eig(W)|, w_in = 1 on regions 0 and 3;
                   row t is the state after input row t
  ridge_y.txt      targets: u delayed by 1..4 steps (0 before the start)
  ridge_ref.txt    the readout of the tanh states' output regions (all
                   but 0 and 3) on those targets, as libdtb states it:
                   scored steps from T/10, the first 70 % train, 5
                   contiguous folds choose lambda in 10^-8..10^2 by the
                   summed squared validation error, ridge on centred data
                   solved with numpy.linalg.lstsq on the augmented system;
                   line 1: lambda and the test score (mean r^2), then one
                   row per target (bias, weights)

Run from the project root: /usr/bin/python3 tests/reservoir/make_reference.py
It is the independent computation; the C library is never consulted."""
import os

import numpy as np

ALPHA = 0.8
N, T = 12, 300
INPUTS = [0, 3]
DELAYS = 4
out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

rng = np.random.default_rng(20261207)
W = rng.uniform(0.0, 1.0, (N, N)) * (rng.uniform(size=(N, N)) < 0.5)
np.fill_diagonal(W, 0.0)
u = rng.uniform(-1.0, 1.0, T)

rho = np.max(np.abs(np.linalg.eigvals(W)))
W_hat = W / rho
w_in = np.zeros(N)
w_in[INPUTS] = 1.0
acts = {"tanh": np.tanh, "identity": lambda z: z, "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z))}
states = {}
for name, f in acts.items():
    x = np.zeros(N)
    rows = []
    for t in range(T):
        x = f(ALPHA * (W_hat @ x) + w_in * u[t])
        rows.append(x)
    states[name] = np.array(rows)

# the readout
outputs = [i for i in range(N) if i not in INPUTS]
X = states["tanh"][:, outputs]
Y = np.zeros((T, DELAYS))
for k in range(1, DELAYS + 1):
    Y[k:, k - 1] = u[:-k]
scored = [t for t in range(T) if t >= T // 10]
n_train = int(len(scored) * 0.7)
train, test = np.array(scored[:n_train]), np.array(scored[n_train:])
lambdas = [10.0 ** e for e in range(-8, 3)]


def ridge(rows, lam):
    Xr, Yr = X[rows], Y[rows]
    mx, my = Xr.mean(axis=0), Yr.mean(axis=0)
    A = np.vstack([Xr - mx, np.sqrt(lam) * np.eye(X.shape[1])])
    B = np.vstack([Yr - my, np.zeros((X.shape[1], Y.shape[1]))])
    w = np.linalg.lstsq(A, B, rcond=None)[0]
    return my - mx @ w, w


folds = [train[[i for i in range(n_train) if i * 5 // n_train == f]] for f in range(5)]
errors = []
for lam in lambdas:
    e = 0.0
    for f in range(5):
        rest = np.concatenate([folds[g] for g in range(5) if g != f])
        b, w = ridge(rest, lam)
        e += np.sum((Y[folds[f]] - (b + X[folds[f]] @ w)) ** 2)
    errors.append(e)
best = int(np.argmin(errors))
b, w = ridge(train, lambdas[best])
pred = b + X[test] @ w
score = np.mean([np.corrcoef(pred[:, k], Y[test, k])[0, 1] ** 2 for k in range(DELAYS)])

fmt = "%.17g"
np.savetxt(os.path.join(out_dir, "esn_w.txt"), W, fmt=fmt)
np.savetxt(os.path.join(out_dir, "esn_u.txt"), u, fmt=fmt)
for name, s in states.items():
    np.savetxt(os.path.join(out_dir, "esn_%s.txt" % name), s, fmt=fmt)
np.savetxt(os.path.join(out_dir, "ridge_y.txt"), Y, fmt=fmt)
with open(os.path.join(out_dir, "ridge_ref.txt"), "w") as f:
    f.write((fmt + " " + fmt + "\n") % (lambdas[best], score))
    for k in range(DELAYS):
        f.write(" ".join(fmt % v for v in np.concatenate([[b[k]], w[:, k]])) + "\n")
print("lambda", lambdas[best], "score", score, "cv errors", errors)
