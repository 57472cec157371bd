"""Every plot function runs headless and draws the expected artists."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import optlearn as ol  # noqa: E402
from optlearn import datasets as D, plot as P  # noqa: E402
from optlearn.functions import DoubleWell, Himmelblau, Quadratic, Rosenbrock  # noqa: E402
from optlearn.models import MLP  # noqa: E402
from optlearn.train import fit, minimize  # noqa: E402
from optlearn.tuning import lr_range_test  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def paths():
    r = Rosenbrock()
    return {"adam": minimize(r, [-1.5, 2.0], ol.adam(lr=0.05), 300),
            "momentum": minimize(r, [-1.5, 2.0], ol.sgd(lr=1e-3, momentum=0.9), 300).xs}


def test_palette_is_okabe_ito():
    assert len(P.PALETTE) == 8 and "#E69F00" in P.PALETTE and "#0072B2" in P.PALETTE


def test_contour_and_curve():
    ax = P.contour(Himmelblau(), log=True)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$" and len(ax.lines) == 0
    assert len(ax.collections) >= 2                          # contour set + minimiser stars
    _, ax2 = plt.subplots()
    assert P.contour(Rosenbrock(), ax=ax2, filled=True) is ax2
    assert len(P.curve(DoubleWell()).lines) == 1


def test_trajectories_one_line_per_path_with_legend():
    ax = P.trajectories(Rosenbrock(), paths(), log=True)
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["adam", "momentum"]
    assert ax.lines[0].get_color().upper() == P.PALETTE[0]


def test_surface3d():
    ax = P.surface3d(Quadratic.from_condition(4.0), log=True)
    assert ax.name == "3d" and ax.get_zlabel()


@pytest.mark.parametrize("x, n_lines, xlabel", [("step", 2, "step"), ("epoch", 4, "epoch"),
                                                ("examples", 2, "examples seen"), ("time", 2, "time (s)")])
def test_loss_curves_of_fit_histories(x, n_lines, xlabel):
    X, y = D.two_moons(60, seed=0)
    net = MLP([2, 8, 2])
    hs = {f"bs={b}": fit(net, net.init_params(), ol.sgd(lr=0.1), (X, y), 2, b, val_data=(X, y))[1] for b in (10, 60)}
    ax = P.loss_curves(hs, x=x)
    assert len(ax.lines) == n_lines and ax.get_xlabel() == xlabel and ax.get_ylabel() == "loss"
    assert ax.get_yscale() == "log"


def test_loss_curves_of_trajectories_and_arrays():
    ax = P.loss_curves([np.array([3.0, 2.0, 1.0]), paths()["adam"]])
    assert len(ax.lines) == 2
    ax = P.loss_curves(np.array([1.0, -1.0]))
    assert len(ax.lines) == 1 and ax.get_yscale() == "linear"
    with pytest.raises(ValueError, match="x must be 'step', 'epoch', 'examples' or 'time'"):
        P.loss_curves(np.ones(3), x="wall")


def test_schedule():
    ax = P.schedule({"exp": ol.schedules.exponential(0.1, 0.98), "const": lambda t: 0.05}, 100)
    assert len(ax.lines) == 2 and ax.get_ylabel() == "learning rate"
    np.testing.assert_allclose(ax.lines[0].get_ydata()[:2], [0.1, 0.098])


def test_decision_boundary():
    X, y = D.spirals(90, classes=3)
    net = MLP([2, 8, 3])
    ax = P.decision_boundary(net, net.init_params(), X, y)
    assert ax.get_xlabel() == "$x_1$" and len(ax.collections) >= 2
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        P.decision_boundary(net, net.init_params(), np.zeros((3, 3)), np.zeros(3))


def test_lr_range():
    X, y = D.two_moons(100, seed=0)
    net = MLP([2, 8, 2])
    res = lr_range_test(net, net.init_params(), lambda lr: ol.sgd(lr=lr), (X, y), 1e-4, 100, steps=60)
    ax = P.lr_range(res)
    assert len(ax.lines) == 3 and ax.get_xscale() == "log"


def test_animation_is_small():
    anim = P.animate_trajectories(Rosenbrock(), paths(), frames=100, log=True)
    assert anim._save_count <= 60 or len(list(anim.new_frame_seq())) <= 60
    assert not plt.get_fignums()                      # closed: not shown statically
    html = anim.to_jshtml()
    assert len(html) < 1.5e6 and "image/jpeg" in html


def test_contour_rejects_1d():
    with pytest.raises(ValueError, match="objective must be 2-D"):
        P.contour(DoubleWell())


def test_animation_html_is_offline_accessible_and_deterministic():
    from optlearn.functions import Rosenbrock

    def html():
        anim = P.animate_trajectories(Rosenbrock(), {"gd": np.zeros((10, 2))}, frames=4)
        return P.animation_html(anim, alt="a path that stays at the origin").data

    first, second = html(), html()
    assert first == second  # no random uuid: nbval can compare it
    assert "maxcdn" not in first and 'action="#n"' not in first
    assert 'alt="a path that stays at the origin"' in first
    assert 'aria-label="Animation frame"' in first
    anim = P.animate_trajectories(Rosenbrock(), {"gd": np.zeros((3, 2))}, frames=2)
    with pytest.raises(ValueError, match="alt must describe"):
        P.animation_html(anim, alt=" ")
    assert 'alt="Animation of the paths of gd' in anim.to_jshtml()  # the default alt
