"""optlearn: the companion package of the book *Optimizers for Machine Learning*.

Small, readable numpy implementations of the optimizers that train
machine-learning models, composed from gradient transformations in the
manner of optax, with PyTorch's names, defaults and semantics.

Example:
    >>> import numpy as np, optlearn as ol
    >>> opt = ol.sgd(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> state = opt.init(x)
    >>> updates, state = opt.update(2 * x, state, x)   # gradient of |x|^2
    >>> ol.apply_updates(x, updates)
    array([ 0.8, -1.6])
"""

from optlearn.base import *  # noqa: F401,F403
from optlearn.transforms import *  # noqa: F401,F403
from optlearn.optimizers import *  # noqa: F401,F403
from optlearn import schedules, validation  # noqa: F401
from optlearn.validation import InvalidArgumentError  # noqa: F401
from optlearn import datasets, functions, hints, loop, models, plot, train, tuning  # noqa: F401
from optlearn.train import fit, minimize  # noqa: F401  (the book's one path: ol.minimize, ol.fit)
from optlearn import convex, linesearch, polyak  # noqa: F401  (curvature and newton: the functions below)
from optlearn.curvature import Curvature, curvature, curvature_on_grid, power_iteration  # noqa: F401
from optlearn.linesearch import armijo, descent, exact_step  # noqa: F401
from optlearn.newton import newton, newton_direction  # noqa: F401
from optlearn.polyak import polyak_lr  # noqa: F401

__version__ = "0.1.0"
from optlearn.clipping import *  # noqa: F401,F403,E402
from optlearn.lion import *  # noqa: F401,F403,E402
from optlearn.adafactor import *  # noqa: F401,F403,E402
from optlearn.muon import *  # noqa: F401,F403,E402
from optlearn.lamb import *  # noqa: F401,F403,E402
from optlearn.schedule_free import *  # noqa: F401,F403,E402
from optlearn.partition import *  # noqa: F401,F403,E402
