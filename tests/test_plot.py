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
    assert anim._save_count <= 30 or len(list(anim.new_frame_seq())) <= 30
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


# ------------------------------------------------------------------ site issue #16
def test_import_optlearn_does_not_import_pyplot():
    import subprocess
    import sys

    code = "import sys, optlearn; print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"import optlearn imported {out.strip()}"


def _frames(anim):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = anim._fig
    FigureCanvasAgg(fig)   # the figure was closed (not shown statically): draw it offscreen
    boxes = []
    for k in range(len(list(anim.new_frame_seq()))):
        anim._func(k)
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        boxes.append((fig.legends[0].get_window_extent(r).bounds,
                      fig.axes[0].xaxis.label.get_window_extent(r).bounds,
                      fig.axes[0].get_window_extent(r).bounds, fig.bbox.bounds))
    return boxes


def test_animation_legend_fixed_below_axes_and_labels_inside_the_frame():
    anim = P.animate_trajectories(Rosenbrock(), paths(), frames=6, log=True)
    boxes = _frames(anim)
    legends = {b[0] for b in boxes}
    assert len(legends) == 1, f"the legend moves between frames: {legends}"
    (lx, ly, lw, lh), (tx, ty, tw, th), (ax_x, ax_y, ax_w, ax_h), (_, _, fw, fh) = boxes[-1]
    assert ly + lh <= ax_y + 1e-6, "the legend overlaps the axes (it must sit below them)"
    assert tx >= 0 and ty >= 0 and tx + tw <= fw and ty + th <= fh, "the x1 label is cut off"
    assert ly >= 0 and lx >= 0 and lx + lw <= fw, "the legend is cut off"
    assert anim._fig.bbox.width >= 440, "frames are small for a phone's column"


def test_player_fits_a_phone_and_uses_no_icon_font():
    anim = P.animate_trajectories(Quadratic.from_condition(5.0), {"gd": np.zeros((4, 2))}, frames=3)
    html = P.animation_html(anim, alt="a still path").data
    assert 'class="animation optlearn-player"' in html
    assert "<i class=" not in html and "fa-" not in html, "icon font classes left in the player"
    assert "width: 100%" in html and "flex-wrap: wrap" in html
    for name in ("Play", "Pause", "First frame", "Last frame", "Previous frame", "Next frame"):
        assert f'aria-label="{name}"' in html


def _run_in_kernel(code: str) -> list:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb.cells[0].outputs


@pytest.mark.parametrize("order", ["optlearn first", "pyplot first"])
def test_notebook_figures_are_2x(order):
    """In a kernel, figures are stored as 2x PNGs with their 1x display size, whether the
    notebook imports pyplot before or after optlearn."""
    import base64
    import struct

    imports = ("import optlearn\nimport matplotlib.pyplot as plt\n" if order == "optlearn first"
               else "import matplotlib.pyplot as plt\nimport optlearn\n")
    outputs = _run_in_kernel(imports + "fig, ax = plt.subplots(figsize=(4, 3))\nax.plot([0, 1], [0, 1])\nplt.show()")
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, outputs
    png = base64.b64decode(images[0]["data"]["image/png"])
    width, height = struct.unpack(">II", png[16:24])
    meta = images[0]["metadata"]["image/png"]
    assert width == pytest.approx(2 * meta["width"], abs=2) and height == pytest.approx(2 * meta["height"], abs=2)
    assert meta["width"] > 300, meta   # a 4-inch figure at 100 dpi, tight bbox
