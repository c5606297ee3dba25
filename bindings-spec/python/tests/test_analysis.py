# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb.analysis against NumPy/SciPy (dtb_analysis(3) states which
definitions it follows) and the eeg lead field."""

import pytest

import dtb
from dtb import analysis as A

np = pytest.importorskip('numpy')


def signals(T=400, n=4, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(T) * 0.01
    return np.column_stack([np.sin(2 * np.pi * (3 + k) * t + k) + 0.3 * rng.standard_normal(T)
                            for k in range(n)])


def test_fc_covariance_fit():
    x = signals()
    assert np.allclose(A.fc(x), np.corrcoef(x.T), atol=1e-13)
    assert np.allclose(A.covariance(x), np.cov(x.T), atol=1e-13)
    a, b = A.fc(x), A.fc(signals(seed=1))
    iu = np.triu_indices(4, 1)
    assert A.fc_fit(a, b) == pytest.approx(np.corrcoef(a[iu], b[iu])[0, 1], abs=1e-13)
    with pytest.raises(dtb.InvalidArgument):
        A.fc_fit(a, np.eye(3))
    with pytest.raises(dtb.InvalidArgument):
        A.fc([[1.0, 2.0]])      # one sample: no correlation


def test_distances():
    p, q = np.array([0.2, 0.3, 0.5]), np.array([0.1, 0.6, 0.3])
    want = (np.sum(p * np.log(p / q)) + np.sum(q * np.log(q / p))) / 2
    assert A.kl_divergence(p, q) == pytest.approx(want, abs=1e-14)
    assert A.kl_divergence(2 * p, 3 * q, normalize=True) == pytest.approx(want, abs=1e-14)
    with pytest.raises(dtb.InvalidArgument):
        A.kl_divergence([0.0, 1.0], [1.0, 1.0])
    stats = pytest.importorskip('scipy.stats')
    a, b = signals()[:, 0], signals(seed=3)[:100, 1] + 0.2
    assert A.ks_distance(a, b) == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-14)


def test_filters_and_phases():
    sig = pytest.importorskip('scipy.signal')
    x = signals()
    bb, aa = sig.butter(2, [2.0, 6.0], btype='band', fs=100.0)
    want = sig.filtfilt(bb, aa, x, axis=0, padtype='odd', padlen=3 * (2 * 2 + 1))
    assert np.allclose(A.bandpass(x, 0.01, 2.0, 6.0), want, atol=1e-9)
    phase = A.hilbert_phase(x)
    assert np.allclose(phase, np.angle(sig.hilbert(x, axis=0)), atol=1e-9)
    order = A.kuramoto_order(phase)
    assert np.allclose(order, np.abs(np.exp(1j * phase).mean(axis=1)), atol=1e-13)
    m, s = A.metastability(phase)
    assert (m, s) == (pytest.approx(order.std(), abs=1e-13), pytest.approx(order.mean(), abs=1e-13))
    with pytest.raises(dtb.InvalidArgument):
        A.bandpass(x, 0.01, 6.0, 2.0)


def test_psd_matches_welch():
    sig = pytest.importorskip('scipy.signal')
    x = signals(T=1000)
    f, p = A.psd(x, 0.01, segment=128)
    wf, wp = sig.welch(x, fs=100.0, nperseg=128, axis=0)
    assert np.allclose(f, wf) and np.allclose(p, wp, rtol=1e-10, atol=1e-14)
    f2, p2 = A.psd(x, 0.01, segment=128, window='boxcar', detrend=False)
    wf, wp = sig.welch(x, fs=100.0, nperseg=128, axis=0, window='boxcar', detrend=False)
    assert np.allclose(p2, wp, rtol=1e-10, atol=1e-14)


def test_fcd_by_hand():
    x = signals(T=300)
    F = A.fcd(x, 0.01, window=0.5, step=0.25)
    w, s = 50, 25
    iu = np.triu_indices(4, 1)
    fcs = [np.corrcoef(x[i:i + w].T)[iu] for i in range(0, 300 - w + 1, s)]
    want = np.corrcoef(np.array(fcs))
    assert F.shape == want.shape and np.allclose(F, want, atol=1e-12)
    G = A.fcd(signals(T=300, seed=4), 0.01, window=0.5, step=0.25)
    ut = np.triu_indices(len(F), 1)
    stats = pytest.importorskip('scipy.stats')
    assert A.fcd_fit(F, G) == pytest.approx(stats.ks_2samp(F[ut], G[ut]).statistic, abs=1e-14)
    assert A.fcd_fit(F, F) == 0.0
    with pytest.raises(dtb.InvalidArgument, match='method'):
        A.fcd(x, 0.01, method='spearman')


def test_lists_without_numpy(lists):
    x = [[0.0, 1.0], [1.0, 0.5], [2.0, 0.0], [3.0, 0.7]]
    r = A.fc(x)
    assert isinstance(r, list) and r[0][0] == pytest.approx(1.0)
    assert r[0][1] == pytest.approx(r[1][0])


def test_eeg_lead_field():
    names = dtb.eeg_sensors()
    assert len(names) == 21 and names[0] == 'Fp1' and 'Cz' in names
    atlas = dtb.Atlas('bn246')
    g = dtb.eeg_gain(atlas)
    assert g.shape == (21, 246)
    assert np.allclose(g.sum(axis=0), 0.0, atol=1e-12 * np.abs(g).max())   # average reference
    h = dtb.eeg_gain(atlas.centres, head='homogeneous')
    assert not np.allclose(g, h)
    with pytest.raises(dtb.InvalidArgument):
        dtb.eeg_gain([[0.0, 0.0]])
