"""The book's HTML animation player: matplotlib's ``to_jshtml()`` made to work offline, on a
phone and with a screen reader.

Matplotlib's player (``matplotlib.animation.Animation.to_jshtml``) loads Font Awesome 4
from a CDN for its button icons, gives its frame image no alt text and its slider no
label, names its elements with a random ``uuid4``, and has a fixed 374 px slider and
frame so it is wider than a phone. :func:`accessible_jshtml` rewrites its HTML:

* buttons show plain Unicode symbols (no icon font, no CDN) and keep their
  ``aria-label`` names;
* the frame image has ``alt``, the slider an ``aria-label``; the form's dummy
  ``action="#n"`` link is dropped;
* the frame scales down to its column and never up past its own pixels, the slider
  and the buttons wrap inside the column (a stylesheet scoped to the player);
* the random id becomes a hash of the content, so the same animation gives the same
  HTML (nbval can compare it).

This module imports no matplotlib at all; :func:`animation_html` takes any animation.
"""

from __future__ import annotations

import hashlib
import re
from html import escape

__all__ = ["accessible_jshtml", "animation_html"]

# matplotlib's Font Awesome 4 icons -> text symbols (U+FE0E asks for the text, not the
# emoji, presentation).
_ICONS = {
    "fa-minus": "\u2212",
    "fa-fast-backward": "\u21e4",
    "fa-step-backward": "\u25c2\u2759",
    "fa-play fa-flip-horizontal": "\u25c0\ufe0e",
    "fa-pause": "\u2759\u2759",
    "fa-play": "\u25b6\ufe0e",
    "fa-step-forward": "\u2759\u25b8",
    "fa-fast-forward": "\u21e5",
    "fa-plus": "+",
}

_STYLE = """<style>
.animation.optlearn-player { display: block; max-width: 100%; box-sizing: border-box; text-align: center; }
.animation.optlearn-player img { display: block; margin: 0 auto; width: 100%; height: auto; }
.animation.optlearn-player input[type=range].anim-slider { width: 100%; max-width: 32rem; box-sizing: border-box; }
.animation.optlearn-player .anim-buttons { display: flex; flex-wrap: wrap; justify-content: center; gap: 0.2rem; }
.animation.optlearn-player .anim-buttons button { width: 2.2rem; min-height: 2.25rem; padding: 0;
  font: 1rem/1 system-ui, sans-serif; }
.animation.optlearn-player .anim-state { display: flex; flex-wrap: wrap; justify-content: center; gap: 0.25rem 0.75rem; }
</style>
"""


def accessible_jshtml(html: str, alt: str) -> str:
    """Make matplotlib's ``to_jshtml()`` output work offline, on a phone and with a
    screen reader (see the module's docstring for each change).

    Args:
        html: What ``Animation.to_jshtml()`` returned.
        alt: Text describing the animation (the frame image's ``alt``).

    Example:
        >>> out = accessible_jshtml('<div class="animation">\\n  <img id="_anim_imgab12">'
        ...                         '<form action="#n"><i class="fa fa-pause"></i>', "a path")
        >>> 'alt="a path"' in out, 'action=' in out, 'fa-pause' in out, 'optlearn-player' in out
        (True, False, False, True)
    """
    html = re.sub(r'<link rel="stylesheet"\s+href="https://maxcdn[^>]*>\n?', "", html)
    html = html.replace('<img id="_anim_img', f'<img alt="{escape(alt)}" id="_anim_img')
    html = html.replace('<input id="_anim_slider', '<input aria-label="Animation frame" id="_anim_slider')
    html = html.replace(' action="#n"', "")
    for icon, text in _ICONS.items():
        html = html.replace(f'<i class="fa {icon}"></i>', f'<span aria-hidden="true">{text}</span>')
    if '<div class="animation">' in html:
        html = html.replace('<div class="animation">', '<div class="animation optlearn-player">', 1)
        html = _STYLE + html
    match = re.search(r'id="_anim_img([0-9a-f]{32})"', html)
    if match:
        stable = hashlib.sha1(html.replace(match.group(1), "").encode()).hexdigest()[:32]
        html = html.replace(match.group(1), stable)
    return html


def animation_html(anim, alt: str):
    """The animation as a kernel-free HTML player for a notebook or the static site.

    Frames are embedded as JPEG (about 5x smaller than PNG).

    Args:
        anim: Any matplotlib animation, e.g. from :func:`optlearn.plot.animate_trajectories`.
        alt: Text describing the animation, for readers who cannot see it.

    Returns:
        An ``IPython.display.HTML`` object; make it the last line of a cell.

    Raises:
        ValueError: if ``alt`` is empty.
    """
    from IPython.display import HTML
    import matplotlib

    if not alt or not alt.strip():
        raise ValueError("alt must describe the animation for readers who cannot see it; got an empty string")
    if hasattr(anim, "alt") and getattr(anim, "_optlearn_player", False):
        anim.alt = alt
        return HTML(anim.to_jshtml())
    with matplotlib.rc_context({"animation.frame_format": "jpeg"}):
        return HTML(accessible_jshtml(anim.to_jshtml(), alt))
