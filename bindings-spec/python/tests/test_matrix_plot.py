# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb.read_matrix / dtb.write_npy against NumPy's own files, and the SVG
figures of dtb.plot_* parsed as XML."""
import math
import os
import re
import xml.etree.ElementTree as ET

import pytest

import dtb

np = pytest.importorskip('numpy')
SVG = '{http://www.w3.org/2000/svg}'


def test_read_matrix_reads_numpy_text_exactly(tmp_path):
    rng = np.random.default_rng(7)
    a = rng.normal(size=(5, 3)) * 1e3
    path = tmp_path / 'a.csv'
    np.savetxt(path, a, delimiter=',', fmt='%.17g', header='x,y,z', comments='')
    values, labels = dtb.read_matrix(str(path))
    assert labels == ['x', 'y', 'z']
    assert values.shape == (5, 3) and values.dtype == np.float64
    assert np.array_equal(values, a)   # bit for bit: %.17g reads back exactly
    table = dtb.read_matrix(str(path), header=True)
    assert table.shape == (5, 3) and np.array_equal(table.values, a)
    with pytest.raises(dtb.ParseError, match='a.csv:1'):
        dtb.read_matrix(str(path), header=False)
    plain = tmp_path / 'p.txt'
    np.savetxt(plain, a, fmt='%.17g')             # spaces, no labels
    values, labels = dtb.read_matrix(str(plain))
    assert labels is None and np.array_equal(values, a)


def test_read_matrix_npy_types_and_checks(tmp_path):
    a = np.arange(12, dtype=np.int64).reshape(4, 3)
    np.save(tmp_path / 'i.npy', a)
    np.save(tmp_path / 'f.npy', (a / 7).astype(np.float32))
    np.save(tmp_path / 'v.npy', np.array([1.5, 2.5, 3.5]))
    assert np.array_equal(dtb.read_matrix(str(tmp_path / 'i.npy')).values, a)
    f32 = dtb.read_matrix(str(tmp_path / 'f.npy')).values
    assert np.array_equal(f32, (a / 7).astype(np.float32).astype(np.float64))
    assert dtb.read_matrix(str(tmp_path / 'v.npy')).values.tolist() == [[1.5], [2.5], [3.5]]
    with pytest.raises(dtb.ParseError):
        dtb.read_matrix(str(tmp_path / 'i.npy'), square=True)
    nan = tmp_path / 'nan.txt'
    nan.write_text('1 nan\ninf 2\n')
    with pytest.raises(dtb.ParseError, match="nan.txt:1:3: .*'nan'"):
        dtb.read_matrix(str(nan), header=False)
    with pytest.raises(dtb.ParseError, match="nan.txt:2:1: .*'inf'"):
        dtb.read_matrix(str(nan))   # header=None: line 1 read again as labels
    got = dtb.read_matrix(str(nan), allow_nonfinite=True, square=True).values
    assert got[0, 0] == 1.0 and math.isnan(got[0, 1]) and got[1, 0] == math.inf
    with pytest.raises(dtb.NotFound):
        dtb.read_matrix(str(tmp_path / 'missing.csv'))
    with pytest.raises(dtb.InvalidArgument):
        dtb.read_matrix(str(nan), header=1)


def test_read_matrix_as_lists(tmp_path, lists):
    (tmp_path / 't.csv').write_text('a;b\n1;2\n3;4.25\n')
    values, labels = dtb.read_matrix(str(tmp_path / 't.csv'))
    assert values == [[1.0, 2.0], [3.0, 4.25]] and labels == ['a', 'b']


def test_write_npy_is_numpy_readable_exactly(tmp_path):
    a = np.random.default_rng(3).normal(size=(4, 6))
    dtb.write_npy(str(tmp_path / 'a.npy'), a)
    back = np.load(tmp_path / 'a.npy')
    assert back.dtype == np.dtype('<f8') and back.shape == (4, 6) and np.array_equal(back, a)
    dtb.write_npy(str(tmp_path / 'l.npy'), [[1, 2], [3, 4]])
    assert np.load(tmp_path / 'l.npy').tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert np.array_equal(dtb.read_matrix(str(tmp_path / 'a.npy')).values, a)
    with pytest.raises(dtb.IOFailure, match='nowhere'):
        dtb.write_npy(str(tmp_path / 'nowhere' / 'a.npy'), a)
    with pytest.raises(dtb.InvalidArgument):
        dtb.write_npy(str(tmp_path / 'c.npy'), np.zeros((2, 2, 2)))


def _svg(path):
    root = ET.parse(path).getroot()
    assert root.tag == SVG + 'svg'
    return root, [t.text for t in root.iter(SVG + 'text')]


def test_plot_lines(tmp_path):
    path = str(tmp_path / 'l.svg')
    dtb.plot_lines(path, [0.0, 1.0, 2.0], [[1, 2, 3], [3, 2, 1]], names=['up', 'down'],
                   title='a <b> & c', x_label='time (s)', y_label='V')
    root, texts = _svg(path)
    assert len(root.findall(f'.//{SVG}polyline')) == 2
    for t in ('a <b> & c', 'time (s)', 'V', 'up', 'down'):
        assert t in texts
    dtb.plot_lines(path, [1.0, 2.0], [1.0, 4.0])   # one series as a 1-D array
    assert len(_svg(path)[0].findall(f'.//{SVG}polyline')) == 1
    with pytest.raises(TypeError, match="'titel'"):
        dtb.plot_lines(path, [0, 1], [0, 1], titel='x')
    with pytest.raises(dtb.InvalidArgument, match='y'):
        dtb.plot_lines(path, [0, 1, 2], [[0, 1]])
    with pytest.raises(dtb.InvalidArgument, match='names'):
        dtb.plot_lines(path, [0, 1], [[0, 1]], names=['a', 'b'])


def test_plot_heatmap(tmp_path):
    path = str(tmp_path / 'h.svg')
    dtb.plot_heatmap(path, np.eye(3), row_labels=['r0', 'r1', 'r2'], col_labels=['c0', 'c1', 'c2'],
                     title='identity', value_label='r', diverging=True, vmin=-1, vmax=1)
    root, texts = _svg(path)
    for t in ('identity', 'r', 'r0', 'r2', 'c1'):
        assert t in texts
    cells = {}
    for p in root.iter(SVG + 'path'):
        n = len(re.findall(r'h24v24h-24z', p.get('d', '')))
        if n:
            cells[p.get('fill')] = n
    assert sorted(cells.values()) == [3, 6]   # the diagonal in one colour, the rest in another
    with pytest.raises(TypeError, match="'log_y'"):
        dtb.plot_heatmap(path, np.eye(2), log_y=True)
    with pytest.raises(dtb.InvalidArgument, match='row_labels'):
        dtb.plot_heatmap(path, np.eye(2), row_labels=['a'])


def test_plot_raster(tmp_path):
    path = str(tmp_path / 'r.svg')
    dtb.plot_raster(path, [0.1, 0.2, 0.3], [0, 1, 5], 3, title='spikes')
    root, texts = _svg(path)
    assert 'spikes' in texts and 'time (s)' in texts and 'unit' in texts
    ticks = ''.join(p.get('d', '') for p in root.iter(SVG + 'path'))
    assert len(re.findall(r'M[\d.]+ [\d.]+v', ticks)) == 2   # unit 5 is out of range: left out
    with pytest.raises(dtb.InvalidArgument, match='units'):
        dtb.plot_raster(path, [0.1, 0.2], [0], 3)


def test_plot_brain(tmp_path):
    atlas = dtb.Atlas('bn246')
    n = atlas.n_regions
    path = str(tmp_path / 'b.svg')
    edges = np.zeros((n, n))
    edges[0, 1] = edges[2, 3] = 0.5
    dtb.plot_brain(path, atlas, values=np.arange(n, dtype=float), edges=edges, title='brain',
                   value_label='score', max_labels=2)
    root, texts = _svg(path)
    assert 'brain' in texts and 'score' in texts
    assert len(root.findall(f'.//{SVG}circle')) == 3 * n   # a node per region in each view
    labels = atlas.labels
    assert labels[n - 1] in texts and labels[n - 2] in texts and labels[0] not in texts
    assert len(root.findall(f'.//{SVG}line')) >= 3 * 2      # the two edges in the three views
    dtb.plot_brain(path, atlas, edges=edges, max_edges=-1, max_labels=-1)
    assert len(_svg(path)[0].findall(f'.//{SVG}circle')) == 3 * n
    with pytest.raises(dtb.InvalidArgument, match='values'):
        dtb.plot_brain(path, atlas, values=[1.0, 2.0])
    bare = dtb.Atlas.from_arrays([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(dtb.InvalidArgument):
        dtb.plot_brain(str(tmp_path / 'none.svg'), bare, values=[1.0, 2.0])
    assert not os.path.exists(tmp_path / 'none.svg')
    with pytest.raises(TypeError, match="'x_label'"):
        dtb.plot_brain(path, atlas, x_label='x')
