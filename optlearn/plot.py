"""Plots for the book (matplotlib only): contours, optimizer paths, loss curves, ...

Every function takes ``ax=None`` (a new figure is made if missing), labels its
axes, returns the axes and never calls ``plt.show``. Colours come from the
colour-blind-safe Okabe-Ito palette, :data:`PALETTE`.

Importing this module (and so ``import optlearn``) imports no matplotlib: pyplot is
imported by the first function that draws. In a Jupyter kernel, importing it asks the
inline backend for 2x ("retina") PNGs, so the book's figures stay sharp on phones and
high-density screens at the same displayed size (:func:`use_retina_figures`).

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from optlearn.functions import Rosenbrock
    >>> ax = trajectories(Rosenbrock(), {"path": np.array([[-1.0, 1.0], [0.0, 0.5], [1.0, 1.0]])})
    >>> len(ax.lines)
    1
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np

from optlearn.player import accessible_jshtml, animation_html

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.animation import FuncAnimation

__all__ = ["PALETTE", "accessible_jshtml", "animation_html", "contour", "curve", "trajectories", "surface3d", "loss_curves", "schedule",
           "decision_boundary", "lr_range", "animate_trajectories", "use_retina_figures"]

#: Okabe & Ito's colour-blind-safe palette (orange, sky blue, green, vermillion, blue, purple, yellow, black).
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442", "#000000"]


def _plt():
    """matplotlib.pyplot, imported on first use (``import optlearn`` stays light)."""
    import matplotlib.pyplot as plt

    return plt


def _png_2x(fig):
    """The inline backend's PNG of ``fig`` at twice its pixels, with its 1x display size.

    The image is composited on white and reduced to an adaptive 256-colour palette
    (median cut, no dithering): matplotlib's flat colours and their anti-aliasing survive,
    and the file is about a third of the full-colour 2x PNG, lighter than the 1x one.
    """
    import base64
    from io import BytesIO

    from PIL import Image

    if not fig.axes and not fig.lines:   # as IPython: an empty figure shows nothing
        return None
    raw = BytesIO()
    fig.canvas.print_figure(raw, format="png", dpi=2 * fig.dpi, bbox_inches="tight",
                            facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    img = Image.open(raw).convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", img.size, "white"), img).convert("RGB")
    small = flat.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = BytesIO()
    small.save(out, format="PNG", optimize=True)
    return (base64.b64encode(out.getvalue()).decode("ascii"),
            {"width": img.size[0] // 2, "height": img.size[1] // 2})


def use_retina_figures() -> bool:
    """In a Jupyter kernel, make the inline backend store figures as 2x PNGs.

    The PNG has twice the pixels in each direction and carries its display size
    (``width``/``height`` metadata), so pages show it at the same size, sharp on
    high-density screens, and a tap on the website opens it full size (see
    :func:`_png_2x` for its palette). Called when this module is imported; does nothing
    outside a Jupyter kernel. Works whether pyplot is imported before or after: the
    formatter is registered now and matplotlib-inline is told that the formats are
    already chosen (``configure_inline_support.current_backend``, its documented way of
    not overriding formats a user set), so activating the backend keeps it.

    Returns:
        True if the kernel now makes 2x figures.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "kernel"):
        return False
    try:
        from matplotlib.figure import Figure
        from matplotlib_inline import backend_inline
    except ImportError:  # pragma: no cover - a kernel without matplotlib-inline
        return False
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, _png_2x)
    formatters["image/png"].enabled = True
    backend_inline.configure_inline_support.current_backend = "inline"
    return True


def _ax(ax):
    return _plt().subplots(figsize=(5, 4))[1] if ax is None else ax


def _grid(objective, bounds, n):
    (x0, x1), (y0, y1) = bounds if bounds is not None else objective.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    with np.errstate(all="ignore"):
        Z = objective.f(np.stack([X, Y], axis=-1))
    return X, Y, Z


def contour(objective, ax=None, bounds=None, levels: int = 30, log: bool = False, n: int = 200,
            filled: bool = False, show_minimizers: bool = True):
    """Contour lines of a 2-D objective over ``bounds`` (default ``objective.bounds``).

    Args:
        log: space the levels geometrically above the grid minimum (for valleys such as Rosenbrock).
        filled: filled contours instead of lines.
        show_minimizers: mark the known minimisers with stars.

    Example:
        >>> from optlearn.functions import Himmelblau
        >>> contour(Himmelblau(), log=True).get_xlabel()
        '$x_1$'
    """
    if getattr(objective, "dim", 2) != 2:
        raise ValueError(f"objective must be 2-D for a contour plot; got dim={objective.dim} (use curve)")
    ax = _ax(ax)
    X, Y, Z = _grid(objective, bounds, n)
    if log:
        zmin = np.nanmin(Z)
        span = max(np.nanmax(Z) - zmin, 1e-12)
        lev = zmin + np.geomspace(span * 1e-4, span, levels)
    else:
        lev = levels
    (ax.contourf if filled else ax.contour)(X, Y, Z, levels=lev, cmap="viridis", linewidths=None if filled else 0.8)
    mins = getattr(objective, "minimizers", np.zeros((0, 2)))
    if show_minimizers and len(mins):
        ax.scatter(mins[:, 0], mins[:, 1], marker="*", s=120, color="black", zorder=5, label="_minimum")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(getattr(objective, "name", ""))
    return ax


def curve(objective, ax=None, bounds=None, n: int = 400, label: str | None = None):
    """The graph of a 1-D objective (one line).

    Example:
        >>> from optlearn.functions import DoubleWell
        >>> len(curve(DoubleWell()).lines)
        1
    """
    ax = _ax(ax)
    (x0, x1), = bounds if bounds is not None else objective.bounds
    x = np.linspace(x0, x1, n)
    ax.plot(x, objective.f(x[:, None]), color=PALETTE[4], label=label or getattr(objective, "name", None))
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    return ax


def trajectories(objective, paths: dict, ax=None, bounds=None, log: bool = False, levels: int = 30):
    """Contours of ``objective`` and one line per optimizer path (``label -> (n, 2) array``),
    start marked by a circle, end by a cross, with a legend.

    Example:
        >>> from optlearn.functions import Saddle
        >>> ax = trajectories(Saddle(), {"a": np.zeros((3, 2)), "b": np.ones((3, 2))})
        >>> len(ax.lines), len(ax.get_legend().get_texts())
        (2, 2)
    """
    ax = contour(objective, ax=ax, bounds=bounds, log=log, levels=levels)
    for i, (label, path) in enumerate(paths.items()):
        path = np.asarray(getattr(path, "xs", path))
        color = PALETTE[i % len(PALETTE)]
        ax.plot(path[:, 0], path[:, 1], "-", color=color, lw=1.5, label=label)
        ax.scatter(path[[0, -1], 0], path[[0, -1], 1], marker="o", s=[20, 40], color=color, zorder=6,
                   edgecolors="black", linewidths=0.5)
    (x0, x1), (y0, y1) = bounds if bounds is not None else objective.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.legend(loc="best", fontsize="small")
    return ax


def surface3d(objective, ax=None, bounds=None, n: int = 80, log: bool = False):
    """A 3-D surface of a 2-D objective (``log``: plot ``log10(1 + f - min f)``).

    Example:
        >>> from optlearn.functions import MonkeySaddle
        >>> surface3d(MonkeySaddle()).name
        '3d'
    """
    if ax is None:
        ax = _plt().figure(figsize=(5, 4)).add_subplot(projection="3d")
    X, Y, Z = _grid(objective, bounds, n)
    if log:
        Z = np.log10(1 + Z - np.nanmin(Z))
    ax.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, antialiased=True, alpha=0.9)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_zlabel("$\\log_{10}(1 + f - f_{min})$" if log else "$f$")
    return ax


def _curve_xy(h, x: str):
    """``(x values, losses, optional val-loss pair)`` of a History, Trajectory or array."""
    if hasattr(h, "step_loss"):
        if x == "epoch":
            e = np.arange(len(h.epoch_train_loss))
            val = (np.arange(len(h.epoch_val_loss)), h.epoch_val_loss) if len(h.epoch_val_loss) else None
            return e, h.epoch_train_loss, val
        xs = {"step": np.arange(1, len(h.step_loss) + 1), "examples": h.examples_seen,
              "time": np.cumsum(h.step_time)}[x]
        return xs, h.step_loss, None
    y = np.asarray(getattr(h, "losses", h), dtype=float)
    if x not in ("step", "epoch"):
        raise ValueError(f"x={x!r} needs a fit History; this curve only has steps")
    return np.arange(len(y)), y, None


def loss_curves(histories, ax=None, log: bool = True, x: str = "step"):
    """Loss curves of several runs: ``histories`` is one History/Trajectory/array, a list,
    or a dict label -> History/Trajectory/array.

    Args:
        x: ``"step"``, ``"epoch"`` (train, plus dashed validation if recorded),
            ``"examples"`` (examples seen) or ``"time"`` (wall clock; machine-dependent).
        log: logarithmic y axis (ignored if a curve is not positive).

    Example:
        >>> ax = loss_curves({"sgd": np.array([1.0, 0.5, 0.25]), "adam": np.array([1.0, 0.1, 0.01])})
        >>> len(ax.lines)
        2
    """
    if x not in ("step", "epoch", "examples", "time"):
        raise ValueError(f"x must be 'step', 'epoch', 'examples' or 'time'; got {x!r}")
    if not isinstance(histories, dict):
        histories = dict(enumerate(histories)) if isinstance(histories, (list, tuple)) else {"": histories}
    ax = _ax(ax)
    positive = True
    for i, (label, h) in enumerate(histories.items()):
        color = PALETTE[i % len(PALETTE)]
        xs, ys, val = _curve_xy(h, x)
        ax.plot(xs, ys, color=color, label=f"{label} train" if val is not None else str(label))
        positive &= bool(np.all(ys[np.isfinite(ys)] > 0))
        if val is not None:
            ax.plot(*val, "--", color=color, label=f"{label} validation")
    if log and positive:
        ax.set_yscale("log")
    ax.set_xlabel({"step": "step", "epoch": "epoch", "examples": "examples seen", "time": "time (s)"}[x])
    ax.set_ylabel("loss")
    if any(str(k) for k in histories):
        ax.legend(fontsize="small")
    return ax


def schedule(sched, steps: int, ax=None, label: str | None = None):
    """Plot a learning-rate schedule ``count -> lr`` (or a dict label -> schedule) over ``steps``.

    Example:
        >>> len(schedule(lambda t: 0.1 * 0.99**t, 100).lines)
        1
    """
    ax = _ax(ax)
    scheds = sched if isinstance(sched, dict) else {label: sched}
    t = np.arange(int(steps))
    for i, (name, s) in enumerate(scheds.items()):
        ax.plot(t, [float(s(k)) for k in t], color=PALETTE[i % len(PALETTE)], label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    if any(k is not None for k in scheds):
        ax.legend(fontsize="small")
    return ax


def decision_boundary(model, params, X, y, ax=None, n: int = 200, margin: float = 0.5):
    """Predicted class regions of a classifier on 2-D inputs, with the data points.

    Example:
        >>> from optlearn.models import LogisticRegression
        >>> m = LogisticRegression(2)
        >>> X = np.array([[0.0, 0.0], [1.0, 1.0]])
        >>> decision_boundary(m, m.init_params(), X, np.array([0, 1])).get_xlabel()
        '$x_1$'
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) for a decision-boundary plot; got {X.shape}")
    ax = _ax(ax)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    G1, G2 = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    Z = model.predict(params, np.column_stack([G1.ravel(), G2.ravel()])).reshape(G1.shape)
    from matplotlib.colors import ListedColormap

    k = int(max(getattr(model, "n_classes", 2) or 2, y.max() + 1))
    cmap = ListedColormap([PALETTE[i % len(PALETTE)] for i in range(k)])
    ax.contourf(G1, G2, Z, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.3)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=k - 0.5, s=12, edgecolors="black", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def lr_range(result, ax=None):
    """Loss against learning rate from :func:`optlearn.tuning.lr_range_test`: raw (light),
    smoothed, and a dotted vertical line at the suggested lr.

    Example:
        >>> from optlearn.tuning import LRRangeResult
        >>> r = LRRangeResult(np.geomspace(1e-3, 1, 4), np.ones(4), np.ones(4), 1e-2, 1e-1)
        >>> len(lr_range(r).lines)
        3
    """
    ax = _ax(ax)
    ax.plot(result.lrs, result.losses, color=PALETTE[1], alpha=0.5, label="loss")
    ax.plot(result.lrs, result.smoothed, color=PALETTE[4], label="smoothed")
    ax.axvline(result.suggested_lr, color=PALETTE[3], ls=":", label=f"suggested lr = {result.suggested_lr:.2g}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.legend(fontsize="small")
    return ax


def _jpeg_animation_class():
    """``FuncAnimation`` whose ``to_jshtml`` embeds JPEG frames and is made accessible
    (:func:`optlearn.player.accessible_jshtml`); built on first use."""
    global _JpegAnimation
    if _JpegAnimation is None:
        import matplotlib
        from matplotlib.animation import FuncAnimation

        class JpegAnimation(FuncAnimation):
            alt = "An animation of optimizer paths drawn over the contour lines of the objective."
            _optlearn_player = True

            def save(self, filename, writer=None, *args, savefig_kwargs=None, **kwargs):
                from matplotlib.animation import HTMLWriter

                if isinstance(writer, HTMLWriter):   # JPEG quality 45: about a third lighter than 75
                    savefig_kwargs = {"pil_kwargs": {"quality": 45, "optimize": True}, **(savefig_kwargs or {})}
                return super().save(filename, writer, *args, savefig_kwargs=savefig_kwargs, **kwargs)

            def to_jshtml(self, *args, **kwargs):
                with matplotlib.rc_context({"animation.frame_format": "jpeg"}):
                    return accessible_jshtml(super().to_jshtml(*args, **kwargs), self.alt)

        _JpegAnimation = JpegAnimation
    return _JpegAnimation


_JpegAnimation = None


def animate_trajectories(objective, paths: dict, frames: int = 40, bounds=None, log: bool = False,
                         figsize=(6.0, 4.6), dpi: int = 80, interval: int = 100, levels: int = 15,
                         alt: str | None = None) -> "FuncAnimation":
    """An animation of optimizer paths over the contours (at most 30 frames).

    The frame is at least 440 px wide (``dpi`` is raised for a narrower ``figsize``; 480 x
    368 px by default, JPEG quality 45), so it fills a phone's column; its layout is computed once
    (constrained layout: no axis label is cut off) and the legend sits in a fixed place
    below the axes, so it neither covers the paths or the minimum nor moves between frames.

    Show it in a notebook with ``ol.plot.animation_html(anim, alt)`` or
    ``HTML(anim.to_jshtml())`` (frames are embedded as JPEG, 30 frames stay
    under 1.5 MB; the player is made accessible, see :func:`accessible_jshtml`,
    with ``alt`` as its text); the figure is closed so it is not also displayed
    as a static image.

    Example:
        >>> from optlearn.functions import Quadratic
        >>> anim = animate_trajectories(Quadratic.from_condition(5.0), {"gd": np.zeros((10, 2))}, frames=5)
        >>> from matplotlib.animation import FuncAnimation
        >>> isinstance(anim, FuncAnimation), 'alt="Animation of the paths of gd' in anim.to_jshtml()
        (True, True)
    """
    frames = int(min(max(frames, 1), 30))
    dpi = max(dpi, 440 / figsize[0])
    plt = _plt()
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    trajectories(objective, {k: np.asarray(getattr(p, "xs", p))[:1] for k, p in paths.items()},
                 ax=ax, bounds=bounds, log=log, levels=levels)
    ax.get_legend().remove()   # one fixed legend below the axes instead of loc="best" per frame
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=min(len(paths), 4),
               fontsize="small", frameon=False)
    arrays = [np.asarray(getattr(p, "xs", p)) for p in paths.values()]
    longest = max(len(p) for p in arrays)
    ends = np.unique(np.linspace(1, longest, frames).round().astype(int))
    lines = ax.lines[-len(arrays):]

    def draw(k):
        for line, p in zip(lines, arrays):
            line.set_data(p[: ends[k], 0], p[: ends[k], 1])
        return lines

    anim = _jpeg_animation_class()(fig, draw, frames=len(ends), interval=interval, blit=False)
    anim.alt = alt or f"Animation of the paths of {', '.join(paths)} over the contour lines of {getattr(objective, 'name', 'the objective')}."
    plt.close(fig)
    return anim


use_retina_figures()
